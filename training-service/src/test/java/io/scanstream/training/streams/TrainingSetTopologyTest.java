package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.domain.TrainingSetEvents;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training-set topology with Kafka Streams' TopologyTestDriver: labels are kept whatever the backbone and
 * whatever arrives first, the latest label wins, embeddings are kept per backbone (a new backbone finds every
 * label), patient and origin come from whichever fact carries them, and the snapshot a run reads pairs the labels
 * with one backbone's embeddings.
 */
class TrainingSetTopologyTest {

    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String FINE_TUNED = "mobilenet_v2:0123456789ab";
    private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-11-25T12:00:00Z");
    private static final URI DEVICE = URI.create("/devices/ct-1");

    /** Under target/, not the OS temp dir Kafka Streams warns about. */
    private final Path stateDir = Path.of("target", "topology-test-state", java.util.UUID.randomUUID().toString());
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> labels;
    private TestInputTopic<String, byte[]> embeddings;
    private TestInputTopic<String, byte[]> preprocessed;
    private TestOutputTopic<String, byte[]> deadLetters;
    private final List<String> details = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void start() {
        TrainingSetTopology.Settings settings = new TrainingSetTopology.Settings(Topics.SCANS_LABELS,
                Topics.SCANS_EMBEDDINGS, Topics.SCANS_PREPROCESSED, Topics.TRAINING_DEAD_LETTERS,
                PendingStateTest.LIMITS);
        TrainingSetEvents listener = new TrainingSetEvents() {
            @Override
            public void labelled(String scanId, ClinicalLabel label) {
                if (scanId.startsWith("boom")) {
                    throw new IllegalStateException("a listener bug met " + scanId);
                }
                events.add("labelled " + scanId + " " + label);
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
            public void embedded(String scanId, String backboneId) {
                events.add("embedded " + scanId + " " + backboneId);
            }

            @Override
            public void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
                events.add("ignored " + scanId + " " + reason);
                details.add(detail);
            }
        };
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "training-set-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainingSetTopology.build(settings, listener), props);
        var keys = new StringSerializer();
        var values = new ByteArraySerializer();
        labels = driver.createInputTopic(Topics.SCANS_LABELS, keys, values);
        embeddings = driver.createInputTopic(Topics.SCANS_EMBEDDINGS, keys, values);
        preprocessed = driver.createInputTopic(Topics.SCANS_PREPROCESSED, keys, values);
        deadLetters = driver.createOutputTopic(Topics.TRAINING_DEAD_LETTERS, new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void keepsALabelWhateverArrivesFirstAndPairsItWithTheAskedBackbonesEmbedding() {
        label("s1", ClinicalLabel.COVID, T0);          // before anything else is known of the scan
        embed("s2", "p-2", BACKBONE, 2f);
        label("s2", ClinicalLabel.NON_COVID, T0);      // after its embedding

        TrainingSet.Snapshot snapshot = snapshot(BACKBONE);

        assertThat(snapshot.labelled()).extracting(LabelledScan::scanId).containsExactlyInAnyOrder("s1", "s2");
        assertThat(snapshot.rows()).singleElement().satisfies(row -> {
            assertThat(row.scanId()).isEqualTo("s2");
            assertThat(row.label()).isEqualTo(ClinicalLabel.NON_COVID);
            assertThat(row.patient()).isEqualTo("p-2");
            assertThat(row.backboneId()).isEqualTo(BACKBONE);
            assertThat(row.vector()).containsExactly(2f, 2f, 2f, 2f);
            assertThat(row.labelledBy()).isEqualTo("dr-a");
        });
        assertThat(snapshot.unembedded()).extracting(LabelledScan::scanId).containsExactly("s1");
        assertThat(events).containsExactly("labelled s1 COVID", "embedded s2 " + BACKBONE, "labelled s2 NON_COVID");
    }

    @Test
    void keepsEveryBackbonesEmbeddingSoANewBackboneFindsEveryLabel() {
        embed("s3", "p-3", BACKBONE, 3f);
        label("s3", ClinicalLabel.COVID, T0);
        label("s4", ClinicalLabel.NON_COVID, T0);
        embed("s3", "p-3", FINE_TUNED, 30f);

        TrainingSet.Snapshot old = snapshot(BACKBONE);
        TrainingSet.Snapshot fineTuned = snapshot(FINE_TUNED);

        assertThat(old.rows()).singleElement().satisfies(r -> assertThat(r.vector()).containsExactly(3f, 3f, 3f, 3f));
        assertThat(fineTuned.rows()).singleElement().satisfies(r -> {
            assertThat(r.backboneId()).isEqualTo(FINE_TUNED);
            assertThat(r.vector()).containsExactly(30f, 30f, 30f, 30f);
        });
        assertThat(fineTuned.labelled()).hasSize(2);
        assertThat(snapshot("resnet34:random").rows()).isEmpty();
        assertThat(snapshot("resnet34:random").unembedded()).hasSize(2);
    }

    @Test
    void theLatestLabelWinsAndAnOlderOneArrivingLateChangesNothing() {
        embed("s5", "p-5", BACKBONE, 5f);
        label("s5", ClinicalLabel.NON_COVID, T0);
        label("s5", ClinicalLabel.COVID, T0.plusHours(1));
        label("s5", ClinicalLabel.NON_COVID, T0.plusMinutes(30)); // a retry of an older decision

        assertThat(snapshot(BACKBONE).labelled()).singleElement().satisfies(s -> {
            assertThat(s.label()).isEqualTo(ClinicalLabel.COVID);
            assertThat(s.labelledAt()).isEqualTo(T0.plusHours(1));
        });
        assertThat(events).containsExactly("embedded s5 " + BACKBONE, "labelled s5 NON_COVID",
                "relabelled s5 NON_COVID->COVID", "ignored s5 STALE_LABEL");
    }

    @Test
    void patientAndOriginComeFromWhicheverFactCarriesThem() {
        preprocess("s6", "p-6", "site:a");
        embed("s6", null, BACKBONE, 6f);  // an embedding without the patient does not erase it
        label("s6", ClinicalLabel.COVID, T0);

        LabelledScan scan = snapshot(BACKBONE).labelled().get(0);

        assertThat(scan.patient()).isEqualTo("p-6");
        assertThat(scan.origin()).isEqualTo("site:a");
        assertThat(scan.device()).isEqualTo(DEVICE.toString());
    }

    @Test
    void aLabelTombstoneTakesTheScanOutAndTheNextLabelBringsItBackWithItsEmbedding() {
        embed("s9", "p-9", BACKBONE, 9f);
        label("s9", ClinicalLabel.COVID, T0);

        labels.pipeInput(new TestRecord<>("s9", null, new RecordHeaders(), Instant.now()));
        assertThat(snapshot(BACKBONE).labelled()).isEmpty();

        label("s9", ClinicalLabel.NON_COVID, T0.plusDays(1));
        assertThat(snapshot(BACKBONE).rows()).singleElement()
                .satisfies(r -> assertThat(r.label()).isEqualTo(ClinicalLabel.NON_COVID));
        assertThat(events).containsExactly("embedded s9 " + BACKBONE, "labelled s9 COVID", "removed s9",
                "labelled s9 NON_COVID");
    }

    @Test
    void skipsRecordsThatAreNotContractEventsAndKeepsGoing() {
        labels.pipeInput(new TestRecord<>("junk", "{}".getBytes(), new RecordHeaders(), Instant.now()));
        ProducerRecord<String, byte[]> misKeyed = EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS,
                new ScanLabel("s10", ClinicalLabel.COVID, "dr-a", T0));
        labels.pipeInput(new TestRecord<>("another-key", misKeyed.value(), misKeyed.headers(), Instant.now()));
        embeddings.pipeInput(new TestRecord<>("junk-2", new byte[] {1}, new RecordHeaders(), Instant.now()));

        embed("s10", "p-10", BACKBONE, 10f);
        label("s10", ClinicalLabel.COVID, T0);

        assertThat(snapshot(BACKBONE).rows()).hasSize(1);
        assertThat(events).containsExactly("ignored junk INVALID", "ignored another-key KEY_MISMATCH",
                "ignored junk-2 INVALID", "embedded s10 " + BACKBONE, "labelled s10 COVID");
        // Before: these records were only logged and counted; now each is kept, unchanged, with its reason.
        List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).extracting(TestRecord::key).containsExactly("junk", "another-key", "junk-2");
        assertThat(letters).extracting(r -> header(r, TrainingSetTopology.REASON_HEADER))
                .containsExactly("INVALID", "KEY_MISMATCH", "INVALID");
        assertThat(letters).extracting(r -> header(r, TrainingSetTopology.SOURCE_TOPIC_HEADER))
                .containsExactly(Topics.SCANS_LABELS, Topics.SCANS_LABELS, Topics.SCANS_EMBEDDINGS);
        assertThat(letters.get(1).value()).isEqualTo(misKeyed.value());
        assertThat(letters.get(1).headers().lastHeader("ce_id")).isNotNull(); // the original headers travel too
    }

    @Test
    void aRecordTheRulesFailOnGoesToTheDeadLettersAndTheStreamGoesOn() {
        // Before: the exception escaped the processor, and the replaced stream thread met the same record again.
        label("boom-1", ClinicalLabel.COVID, T0);
        label("s13", ClinicalLabel.NON_COVID, T0);

        assertThat(events).containsExactly("ignored boom-1 FAILED", "labelled s13 NON_COVID");
        TestRecord<String, byte[]> letter = deadLetters.readRecord();
        assertThat(letter.key()).isEqualTo("boom-1");
        assertThat(header(letter, TrainingSetTopology.REASON_HEADER)).isEqualTo("FAILED");
        assertThat(header(letter, TrainingSetTopology.DETAIL_HEADER)).contains("a listener bug met boom-1");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aStaleLabelIsNoDeadLetter() {
        label("s14", ClinicalLabel.COVID, T0.plusHours(1));
        label("s14", ClinicalLabel.NON_COVID, T0);
        assertThat(events).containsExactly("labelled s14 COVID", "ignored s14 STALE_LABEL");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void ignoresAPreprocessedRecordThatIsNotTheModelInputWithItsReason() {
        // Before: scans.preprocessed records were not checked against 224x224 on read.
        preprocess("s11", "p-wrong", "site:x", 100);
        preprocess("s12", "p-12", "site:y", 224);
        assertThat(events).containsExactly("ignored s11 INVALID");
        assertThat(details).containsExactly("image is 100x100, the model input is 224x224");
        assertThat(driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE).get("s11")).isNull();
        assertThat(driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE).get("s12")).isNotNull();
    }

    @Test
    void aCappedSnapshotHoldsTheNewestLabelledScansAndSaysHowManyItLeftOut() {
        for (int i = 0; i < 6; i++) {
            embed("c" + i, "p-c" + i, BACKBONE, i);
        }
        // Labelled in the order c3, c0, c5, c1, c4, c2 (an hour apart); c4 and c2 share their hour: the greater id wins.
        label("c3", ClinicalLabel.COVID, T0);
        label("c0", ClinicalLabel.COVID, T0.plusHours(1));
        label("c5", ClinicalLabel.NON_COVID, T0.plusHours(2));
        label("c1", ClinicalLabel.NON_COVID, T0.plusHours(3));
        label("c4", ClinicalLabel.COVID, T0.plusHours(4));
        label("c2", ClinicalLabel.COVID, T0.plusHours(4));

        TrainingSet.Snapshot capped = TrainingSetView.snapshot(BACKBONE, 3,
                driver.getKeyValueStore(TrainingSetTopology.LABELS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.EMBEDDINGS_STORE));

        assertThat(capped.labelled()).extracting(LabelledScan::scanId).containsExactly("c1", "c2", "c4");
        assertThat(capped.embeddings()).containsOnlyKeys("c1", "c2", "c4");
        assertThat(capped.rows()).extracting(r -> r.vector()[0]).containsExactly(1f, 2f, 4f);
        assertThat(capped.labelledInSet()).isEqualTo(6);
        assertThat(capped.leftOut()).isEqualTo(3);
        assertThat(TrainingSetView.snapshot(BACKBONE, 5,
                driver.getKeyValueStore(TrainingSetTopology.LABELS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.EMBEDDINGS_STORE)).labelled())
                .extracting(LabelledScan::scanId).containsExactly("c0", "c1", "c2", "c4", "c5");
        assertThat(TrainingSetView.snapshot(BACKBONE, 1,
                driver.getKeyValueStore(TrainingSetTopology.LABELS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.EMBEDDINGS_STORE)).labelled())
                .extracting(LabelledScan::scanId).containsExactly("c4");
        assertThat(snapshot(BACKBONE).leftOut()).isZero();
    }

    @Test
    void refusesASnapshotCapBelowOne() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingSetView.snapshot(BACKBONE, 0,
                        driver.getKeyValueStore(TrainingSetTopology.LABELS_STORE),
                        driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE),
                        driver.getKeyValueStore(TrainingSetTopology.EMBEDDINGS_STORE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    }

    private TrainingSet.Snapshot snapshot(String backboneId) {
        return TrainingSetView.snapshot(backboneId, driver.getKeyValueStore(TrainingSetTopology.LABELS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE),
                driver.getKeyValueStore(TrainingSetTopology.EMBEDDINGS_STORE));
    }

    private void label(String scanId, ClinicalLabel label, OffsetDateTime at) {
        pipe(labels, EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, new ScanLabel(scanId, label, "dr-a", at)));
    }

    private void embed(String scanId, String patient, String backbone, float value) {
        float[] vector = {value, value, value, value};
        pipe(embeddings, EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS,
                new ScanEmbedding(scanId, DEVICE, T0, patient, backbone, vector)));
    }

    private void preprocess(String scanId, String patient, String origin) {
        preprocess(scanId, patient, origin, 224);
    }

    private void preprocess(String scanId, String patient, String origin, int side) {
        byte[] pixels = new byte[side * side];
        pipe(preprocessed, EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(scanId,
                DEVICE, T0, patient, "0".repeat(64), ImageFormat.PNG, 16, 16, new GreyImage(side, side, pixels),
                origin)));
    }

    private static void pipe(TestInputTopic<String, byte[]> topic, ProducerRecord<String, byte[]> record) {
        topic.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers(), Instant.now()));
    }
}
