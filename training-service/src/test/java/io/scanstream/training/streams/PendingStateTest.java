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
import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.ExpiryReason;
import io.scanstream.training.domain.TrainingSetEvents.PendingKind;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bound on the training set's pending state, driven through the topology with TopologyTestDriver and record
 * times: a scan nobody labels and a label whose scan never comes expire after their TTL (in stream time), with
 * every backbone's embedding; a labelled example never does; a label that comes late but within the TTL still
 * joins its scan; past the cap the oldest go first.
 */
class PendingStateTest {

    /** The TTLs of the tests: 30 days unlabelled, 7 days orphan labels, a sweep every hour, a cap of 1000. */
    static final TrainingSetTopology.PendingLimits LIMITS = new TrainingSetTopology.PendingLimits(
            Duration.ofDays(30), Duration.ofDays(7), 1000, Duration.ofHours(1));

    private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String FINE_TUNED = "mobilenet_v2:0123456789ab";
    private static final URI DEVICE = URI.create("/devices/ct-1");

    private final Path stateDir = Path.of("target", "topology-test-state", java.util.UUID.randomUUID().toString());
    private final Map<PendingKind, Long> pending = new EnumMap<>(PendingKind.class);
    private final List<String> expired = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> labels;
    private TestInputTopic<String, byte[]> embeddings;
    private TestInputTopic<String, byte[]> preprocessed;

    private void start(TrainingSetTopology.PendingLimits limits) {
        TrainingSetEvents listener = new TrainingSetEvents() {
            @Override
            public void pendingCount(String task, PendingKind kind, long count) {
                assertThat(task).isEqualTo("0_0"); // one partition in the test driver
                pending.put(kind, count);
            }

            @Override
            public void expired(PendingKind kind, ExpiryReason reason, String scanId) {
                expired.add(scanId + " " + kind + " " + reason);
            }
        };
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pending-state-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainingSetTopology.build(new TrainingSetTopology.Settings(Topics.SCANS_LABELS,
                Topics.SCANS_EMBEDDINGS, Topics.SCANS_PREPROCESSED, Topics.TRAINING_DEAD_LETTERS, limits), listener),
                props);
        labels = driver.createInputTopic(Topics.SCANS_LABELS, new StringSerializer(), new ByteArraySerializer());
        embeddings = driver.createInputTopic(Topics.SCANS_EMBEDDINGS, new StringSerializer(), new ByteArraySerializer());
        preprocessed = driver.createInputTopic(Topics.SCANS_PREPROCESSED, new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void unlabelledScansAndOrphanLabelsExpireAfterTheirTtlAndLabelledExamplesStay() {
        start(LIMITS);
        embed("unlabelled", BACKBONE, T0);
        embed("unlabelled", FINE_TUNED, T0.plus(Duration.ofDays(1)));
        preprocess("never-embedded", T0);
        embed("labelled", BACKBONE, T0);
        label("labelled", T0.plus(Duration.ofHours(2)));
        label("orphan", T0);
        assertThat(pending).containsEntry(PendingKind.UNLABELLED_SCAN, 2L).containsEntry(PendingKind.ORPHAN_LABEL, 1L);

        // Day 8 (stream time, moved on by another scan's record): the orphan label is past its 7 days.
        embed("clock-1", BACKBONE, T0.plus(Duration.ofDays(8)));
        assertThat(labelStore().get("orphan")).isNull();
        assertThat(expired).containsExactly("orphan ORPHAN_LABEL AGE");
        assertThat(scanStore().get("unlabelled")).isNotNull();

        // Day 31: the unlabelled scans are past their 30 days, with every backbone's embedding.
        embed("clock-2", BACKBONE, T0.plus(Duration.ofDays(31)));
        assertThat(expired).containsExactly("orphan ORPHAN_LABEL AGE", "never-embedded UNLABELLED_SCAN AGE",
                "unlabelled UNLABELLED_SCAN AGE");
        assertThat(scanStore().get("unlabelled")).isNull();
        assertThat(scanStore().get("never-embedded")).isNull();
        assertThat(embeddingStore().get(TrainingFacts.embeddingKey(BACKBONE, "unlabelled"))).isNull();
        assertThat(embeddingStore().get(TrainingFacts.embeddingKey(FINE_TUNED, "unlabelled"))).isNull();
        assertThat(driver.getKeyValueStore(TrainingSetTopology.PENDING_STORE).get("unlabelled")).isNull();

        // The labelled example is whole, a year on.
        embed("clock-3", BACKBONE, T0.plus(Duration.ofDays(365)));
        assertThat(labelStore().get("labelled")).isNotNull();
        assertThat(scanStore().get("labelled")).isNotNull();
        assertThat(embeddingStore().get(TrainingFacts.embeddingKey(BACKBONE, "labelled"))).isNotNull();
        assertThat(snapshot().labelled()).extracting(LabelledScan::scanId).containsExactly("labelled");
        // Only the clock scans wait now (clock-1 and clock-2 expired on day 365, clock-3 is new).
        assertThat(pending).containsEntry(PendingKind.UNLABELLED_SCAN, 1L).containsEntry(PendingKind.ORPHAN_LABEL, 0L);
    }

    @Test
    void aLabelThatComesLateButWithinTheTtlJoinsItsScan() {
        start(LIMITS);
        embed("late", BACKBONE, T0);
        embed("clock-1", BACKBONE, T0.plus(Duration.ofDays(29)));
        label("late", T0.plus(Duration.ofDays(29).plusHours(12)));
        embed("clock-2", BACKBONE, T0.plus(Duration.ofDays(400)));

        assertThat(snapshot().rows()).singleElement().satisfies(row -> {
            assertThat(row.scanId()).isEqualTo("late");
            assertThat(row.patient()).isEqualTo("p-late");
        });
        assertThat(expired).containsExactly("clock-1 UNLABELLED_SCAN AGE");
    }

    @Test
    void aScanThatComesAfterItsLabelWithinTheTtlJoinsIt() {
        start(LIMITS);
        label("label-first", T0);
        assertThat(pending).containsEntry(PendingKind.ORPHAN_LABEL, 1L);
        preprocess("label-first", T0.plus(Duration.ofDays(6)));
        assertThat(pending).containsEntry(PendingKind.ORPHAN_LABEL, 0L).containsEntry(PendingKind.UNLABELLED_SCAN, 0L);

        embed("clock", BACKBONE, T0.plus(Duration.ofDays(100)));

        assertThat(snapshot().labelled()).extracting(LabelledScan::scanId).containsExactly("label-first");
        assertThat(expired).isEmpty();
    }

    @Test
    void aScanWhoseLabelIsWithdrawnWaitsAgainFromTheWithdrawal() {
        start(LIMITS);
        embed("withdrawn", BACKBONE, T0);
        label("withdrawn", T0.plus(Duration.ofDays(1)));
        labels.pipeInput(new TestRecord<>("withdrawn", null, null, T0.plus(Duration.ofDays(20))));
        assertThat(pending).containsEntry(PendingKind.UNLABELLED_SCAN, 1L);

        embed("clock-1", BACKBONE, T0.plus(Duration.ofDays(40)));  // 20 days after the withdrawal: kept
        assertThat(scanStore().get("withdrawn")).isNotNull();
        embed("clock-2", BACKBONE, T0.plus(Duration.ofDays(51)));  // 31 days after it: gone
        assertThat(scanStore().get("withdrawn")).isNull();
        assertThat(embeddingStore().get(TrainingFacts.embeddingKey(BACKBONE, "withdrawn"))).isNull();
    }

    @Test
    void pastTheCapTheOldestPendingEntriesGoFirstAndLabelledExamplesAreNeverEvicted() {
        start(new TrainingSetTopology.PendingLimits(Duration.ofDays(30), Duration.ofDays(7), 10, Duration.ofHours(1)));
        embed("kept", BACKBONE, T0);
        label("kept", T0);
        for (int i = 0; i < 10; i++) {
            embed("s" + i, BACKBONE, T0.plus(Duration.ofMinutes(i)));
        }
        assertThat(expired).isEmpty();

        embed("s10", BACKBONE, T0.plus(Duration.ofMinutes(10)));  // the 11th: down to 9, the oldest two go

        assertThat(expired).containsExactly("s0 UNLABELLED_SCAN CAP", "s1 UNLABELLED_SCAN CAP");
        assertThat(scanStore().get("s0")).isNull();
        assertThat(embeddingStore().get(TrainingFacts.embeddingKey(BACKBONE, "s1"))).isNull();
        assertThat(scanStore().get("s2")).isNotNull();
        assertThat(pending).containsEntry(PendingKind.UNLABELLED_SCAN, 9L);
        assertThat(snapshot().rows()).extracting(r -> r.scanId()).containsExactly("kept");
    }

    @Test
    void refusesLimitsThatBoundNothing() {
        assertThatThrownBy(() -> new TrainingSetTopology.PendingLimits(Duration.ZERO, Duration.ofDays(7), 100,
                Duration.ofHours(1))).hasMessageContaining("training.pending.unlabelled-ttl");
        assertThatThrownBy(() -> new TrainingSetTopology.PendingLimits(Duration.ofDays(1), Duration.ofDays(-1), 100,
                Duration.ofHours(1))).hasMessageContaining("training.pending.orphan-label-ttl");
        assertThatThrownBy(() -> new TrainingSetTopology.PendingLimits(Duration.ofDays(1), Duration.ofDays(1), 9,
                Duration.ofHours(1))).hasMessageContaining("training.pending.max-entries");
    }

    private KeyValueStore<String, StoreSerdes.LabelFact> labelStore() {
        return driver.getKeyValueStore(TrainingSetTopology.LABELS_STORE);
    }

    private KeyValueStore<String, StoreSerdes.ScanFact> scanStore() {
        return driver.getKeyValueStore(TrainingSetTopology.SCANS_STORE);
    }

    private KeyValueStore<String, float[]> embeddingStore() {
        return driver.getKeyValueStore(TrainingSetTopology.EMBEDDINGS_STORE);
    }

    private io.scanstream.training.domain.TrainingSet.Snapshot snapshot() {
        return TrainingSetView.snapshot(BACKBONE, labelStore(), scanStore(), embeddingStore());
    }

    private void label(String scanId, Instant at) {
        pipe(labels, EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, new ScanLabel(scanId, ClinicalLabel.COVID,
                "dr-a", at.atOffset(ZoneOffset.UTC))), at);
    }

    private void embed(String scanId, String backbone, Instant at) {
        pipe(embeddings, EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS, new ScanEmbedding(scanId, DEVICE,
                at.atOffset(ZoneOffset.UTC), "p-" + scanId, backbone, new float[] {1f, 2f, 3f, 4f})), at);
    }

    private void preprocess(String scanId, Instant at) {
        pipe(preprocessed, EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(scanId,
                DEVICE, at.atOffset(ZoneOffset.UTC), "p-" + scanId, "0".repeat(64), ImageFormat.PNG, 16, 16,
                new GreyImage(224, 224, new byte[224 * 224]), "origin-a")), at);
    }

    private static void pipe(TestInputTopic<String, byte[]> topic, ProducerRecord<String, byte[]> record, Instant at) {
        topic.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers(), at));
    }
}
