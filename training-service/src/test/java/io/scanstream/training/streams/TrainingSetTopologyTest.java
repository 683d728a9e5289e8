package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.training.domain.Embedder;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.streams.StoredFacts.PendingImage;
import io.scanstream.training.streams.StoredFacts.PendingLabel;
import io.scanstream.training.streams.StoredFacts.UnlabelledEmbedding;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static io.scanstream.training.streams.TrainingSetTopology.PENDING_IMAGES_STORE;
import static io.scanstream.training.streams.TrainingSetTopology.PENDING_LABELS_STORE;
import static io.scanstream.training.streams.TrainingSetTopology.TRAINING_SET_STORE;
import static io.scanstream.training.streams.TrainingSetTopology.UNLABELLED_EMBEDDINGS_STORE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training-set topology with Kafka Streams' TopologyTestDriver: labels and embeddings join in either order,
 * the latest label wins, a label for an unknown scan waits, other backbones never mix in, and a missing embedding
 * is computed from the preprocessed scan. The embedding function is a stand-in (the real backbone is exercised by
 * the service test): four numbers derived from the pixels, so that what was computed is recognisable.
 */
class TrainingSetTopologyTest {

    private static final String BACKBONE = "mobilenet_v2:random";
    private static final int DIM = 4;
    private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-11-25T12:00:00Z");
    private static final URI DEVICE = URI.create("/devices/ct-1");

    /** Under target/, not the OS temp dir Kafka Streams warns about. */
    private final Path stateDir = Path.of("target", "topology-test-state", java.util.UUID.randomUUID().toString());
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> labels;
    private TestInputTopic<String, byte[]> embeddings;
    private TestInputTopic<String, byte[]> preprocessed;
    private final List<String> events = new ArrayList<>();
    private int embedded;

    @BeforeEach
    void start() {
        TrainingSetTopology.Settings settings = new TrainingSetTopology.Settings(Topics.SCANS_LABELS,
                Topics.SCANS_EMBEDDINGS, Topics.SCANS_PREPROCESSED, BACKBONE, DIM, true);
        TrainingSetEvents listener = new TrainingSetEvents() {
            @Override
            public void joined(String scanId, ClinicalLabel label, JoinPath path) {
                events.add("joined " + scanId + " " + label + " " + path);
            }

            @Override
            public void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
                events.add("relabelled " + scanId + " " + from + "->" + to);
            }

            @Override
            public void removed(String scanId) {
                events.add("removed " + scanId);
            }

            @Override
            public void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
                events.add("ignored " + scanId + " " + reason);
            }
        };
        Embedder pixelSummary = image -> {
            embedded++;
            return new float[] {(float) image.mean(), image.width(), image.height(), 42f};
        };
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "training-set-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainingSetTopology.build(settings, pixelSummary, listener), props);
        var keys = new StringSerializer();
        var values = new ByteArraySerializer();
        labels = driver.createInputTopic(Topics.SCANS_LABELS, keys, values);
        embeddings = driver.createInputTopic(Topics.SCANS_EMBEDDINGS, keys, values);
        preprocessed = driver.createInputTopic(Topics.SCANS_PREPROCESSED, keys, values);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void joinsALabelThatArrivesAfterItsEmbedding() {
        embed("s1", "p-1", BACKBONE, 1f);
        assertThat(unlabelled().get("s1").vector()).containsExactly(1f, 1f, 1f, 1f);
        assertThat(trainingSet().get("s1")).isNull();

        label("s1", ClinicalLabel.COVID, T0);

        TrainingExample row = trainingSet().get("s1");
        assertThat(row.label()).isEqualTo(ClinicalLabel.COVID);
        assertThat(row.patient()).isEqualTo("p-1");
        assertThat(row.backboneId()).isEqualTo(BACKBONE);
        assertThat(row.vector()).containsExactly(1f, 1f, 1f, 1f);
        assertThat(row.labelledBy()).isEqualTo("dr-a");
        assertThat(row.labelledAt()).isEqualTo(T0);
        assertThat(unlabelled().get("s1")).isNull();
        assertThat(pendingLabels().get("s1")).isNull();
        assertThat(events).containsExactly("joined s1 COVID LABEL_AFTER_EMBEDDING");
    }

    @Test
    void joinsAnEmbeddingThatArrivesAfterItsLabel() {
        label("s2", ClinicalLabel.NON_COVID, T0);
        assertThat(pendingLabels().get("s2").label()).isEqualTo(ClinicalLabel.NON_COVID);

        embed("s2", "p-2", BACKBONE, 2f);

        assertThat(trainingSet().get("s2").label()).isEqualTo(ClinicalLabel.NON_COVID);
        assertThat(trainingSet().get("s2").vector()).containsExactly(2f, 2f, 2f, 2f);
        assertThat(pendingLabels().get("s2")).isNull();
        assertThat(events).containsExactly("joined s2 NON_COVID EMBEDDING_AFTER_LABEL");
    }

    @Test
    void keepsALabelForAnUnknownScanWaitingUntilItsEmbeddingArrives() {
        label("unknown", ClinicalLabel.COVID, T0);
        for (int i = 0; i < 20; i++) {
            embed("other-" + i, "p-x", BACKBONE, i);
            label("other-" + i, ClinicalLabel.NON_COVID, T0);
        }
        assertThat(pendingLabels().get("unknown")).isNotNull();
        assertThat(trainingSet().get("unknown")).isNull();

        embed("unknown", "p-u", BACKBONE, 9f);

        assertThat(trainingSet().get("unknown").label()).isEqualTo(ClinicalLabel.COVID);
        assertThat(count(trainingSet())).isEqualTo(21);
    }

    @Test
    void theLatestLabelWinsAndAnOlderOneArrivingLateChangesNothing() {
        embed("s3", "p-3", BACKBONE, 3f);
        label("s3", ClinicalLabel.NON_COVID, T0);
        label("s3", ClinicalLabel.COVID, T0.plusHours(1));
        assertThat(trainingSet().get("s3").label()).isEqualTo(ClinicalLabel.COVID);
        assertThat(trainingSet().get("s3").labelledAt()).isEqualTo(T0.plusHours(1));

        label("s3", ClinicalLabel.NON_COVID, T0.plusMinutes(30)); // a retry of an older decision

        assertThat(trainingSet().get("s3").label()).isEqualTo(ClinicalLabel.COVID);
        assertThat(events).containsExactly("joined s3 NON_COVID LABEL_AFTER_EMBEDDING",
                "relabelled s3 NON_COVID->COVID", "ignored s3 STALE_LABEL");
    }

    @Test
    void theLatestOfTwoWaitingLabelsIsTheOneThatJoins() {
        label("s4", ClinicalLabel.COVID, T0.plusHours(2));
        label("s4", ClinicalLabel.NON_COVID, T0);
        embed("s4", "p-4", BACKBONE, 4f);

        assertThat(trainingSet().get("s4").label()).isEqualTo(ClinicalLabel.COVID);
    }

    @Test
    void neverJoinsEmbeddingsOfAnotherBackbone() {
        label("s5", ClinicalLabel.COVID, T0);
        embed("s5", "p-5", "resnet34:random", 5f);
        assertThat(trainingSet().get("s5")).isNull();
        assertThat(pendingLabels().get("s5")).isNotNull();

        embed("s5", "p-5", BACKBONE, 6f);

        assertThat(trainingSet().get("s5").vector()).containsExactly(6f, 6f, 6f, 6f);
        assertThat(events).containsExactly("ignored s5 OTHER_BACKBONE", "joined s5 COVID EMBEDDING_AFTER_LABEL");
    }

    @Test
    void computesAMissingEmbeddingFromThePreprocessedScanInEitherOrder() {
        preprocess("s6", "p-6", 60);
        assertThat(pendingImages().get("s6")).isNotNull();
        label("s6", ClinicalLabel.COVID, T0);

        label("s7", ClinicalLabel.NON_COVID, T0);
        preprocess("s7", "p-7", 70);

        assertThat(trainingSet().get("s6").vector()).containsExactly(60f, 16f, 16f, 42f);
        assertThat(trainingSet().get("s6").patient()).isEqualTo("p-6");
        assertThat(trainingSet().get("s6").backboneId()).isEqualTo(BACKBONE);
        assertThat(trainingSet().get("s7").vector()).containsExactly(70f, 16f, 16f, 42f);
        assertThat(pendingImages().get("s6")).isNull();
        assertThat(pendingLabels().get("s7")).isNull();
        assertThat(embedded).isEqualTo(2);
        assertThat(events).containsExactly("joined s6 COVID RECOMPUTED", "joined s7 NON_COVID RECOMPUTED");
    }

    @Test
    void doesNotRecomputeWhenInferenceAlreadyEmbeddedTheScan() {
        preprocess("s8", "p-8", 80);
        embed("s8", "p-8", BACKBONE, 8f);
        assertThat(pendingImages().get("s8")).isNull();
        preprocess("s8", "p-8", 80); // a re-delivery

        label("s8", ClinicalLabel.COVID, T0);

        assertThat(trainingSet().get("s8").vector()).containsExactly(8f, 8f, 8f, 8f);
        assertThat(embedded).isZero();
        assertThat(pendingImages().get("s8")).isNull();
    }

    @Test
    void aLabelTombstoneTakesTheScanOutAndItsEmbeddingWaitsForTheNextLabel() {
        embed("s9", "p-9", BACKBONE, 9f);
        label("s9", ClinicalLabel.COVID, T0);

        labels.pipeInput(new TestRecord<>("s9", null, new RecordHeaders(), Instant.now()));

        assertThat(trainingSet().get("s9")).isNull();
        assertThat(unlabelled().get("s9").vector()).containsExactly(9f, 9f, 9f, 9f);
        label("s9", ClinicalLabel.NON_COVID, T0.plusDays(1));
        assertThat(trainingSet().get("s9").label()).isEqualTo(ClinicalLabel.NON_COVID);
    }

    @Test
    void skipsRecordsThatAreNotContractEventsAndKeepsJoining() {
        labels.pipeInput(new TestRecord<>("junk", "{}".getBytes(), new RecordHeaders(), Instant.now()));
        ProducerRecord<String, byte[]> misKeyed = EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS,
                new ScanLabel("s10", ClinicalLabel.COVID, "dr-a", T0));
        labels.pipeInput(new TestRecord<>("another-key", misKeyed.value(), misKeyed.headers(), Instant.now()));

        embed("s10", "p-10", BACKBONE, 10f);
        label("s10", ClinicalLabel.COVID, T0);

        assertThat(trainingSet().get("s10")).isNotNull();
        assertThat(events).containsExactly("ignored junk INVALID", "ignored another-key KEY_MISMATCH",
                "joined s10 COVID LABEL_AFTER_EMBEDDING");
    }

    private void label(String scanId, ClinicalLabel label, OffsetDateTime at) {
        pipe(labels, EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, new ScanLabel(scanId, label, "dr-a", at)));
    }

    private void embed(String scanId, String patient, String backbone, float value) {
        float[] vector = {value, value, value, value};
        pipe(embeddings, EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS,
                new ScanEmbedding(scanId, DEVICE, T0, patient, backbone, vector)));
    }

    private void preprocess(String scanId, String patient, int grey) {
        byte[] pixels = new byte[16 * 16];
        java.util.Arrays.fill(pixels, (byte) grey);
        pipe(preprocessed, EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(scanId,
                DEVICE, T0, patient, "0".repeat(64), ImageFormat.PNG, 16, 16, new GreyImage(16, 16, pixels))));
    }

    private static void pipe(TestInputTopic<String, byte[]> topic, ProducerRecord<String, byte[]> record) {
        topic.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers(), Instant.now()));
    }

    private KeyValueStore<String, TrainingExample> trainingSet() {
        return driver.getKeyValueStore(TRAINING_SET_STORE);
    }

    private KeyValueStore<String, PendingLabel> pendingLabels() {
        return driver.getKeyValueStore(PENDING_LABELS_STORE);
    }

    private KeyValueStore<String, UnlabelledEmbedding> unlabelled() {
        return driver.getKeyValueStore(UNLABELLED_EMBEDDINGS_STORE);
    }

    private KeyValueStore<String, PendingImage> pendingImages() {
        return driver.getKeyValueStore(PENDING_IMAGES_STORE);
    }

    private static long count(KeyValueStore<String, ?> store) {
        long n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }
}
