package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.ExpiryReason;
import io.scanstream.training.domain.TrainingSetEvents.PendingKind;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PendingState} over stores that outlive it, as a restarted task finds them restored from the changelogs:
 * it counts what is pending, remembers every backbone, and a sweep after the restart drops an expired scan's
 * embeddings of a backbone it learnt of before the restart.
 */
class PendingStateRestartTest {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
    private final KeyValueStore<String, StoreSerdes.LabelFact> labels = store("labels", StoreSerdes.LABEL);
    private final KeyValueStore<String, StoreSerdes.ScanFact> scans = store("scans", StoreSerdes.SCAN);
    private final KeyValueStore<String, float[]> embeddings = store("embeddings", StoreSerdes.VECTOR);
    private final KeyValueStore<String, StoreSerdes.PendingFact> pending = store("pending", StoreSerdes.PENDING);
    private final KeyValueStore<String, Long> backbones = store("backbones", StoreSerdes.MILLIS);
    private final Map<PendingKind, Long> counts = new HashMap<>();
    private final List<String> expired = new ArrayList<>();
    private final TrainingSetEvents listener = new TrainingSetEvents() {
        @Override
        public void pendingCount(String task, PendingKind kind, long count) {
            counts.put(kind, count);
        }

        @Override
        public void expired(PendingKind kind, ExpiryReason reason, String scanId) {
            expired.add(scanId + " " + kind + " " + reason);
        }
    };

    @Test
    void aRestartedTaskCountsWhatIsPendingAndStillFindsEveryBackbonesEmbedding() {
        PendingState before = state();
        scan("old", "backbone-a", 0);
        before.backbone("backbone-a", 0);
        before.reindex("old", 0);
        labels.put("orphan", new StoreSerdes.LabelFact(ClinicalLabel.COVID, "dr-a", OffsetDateTime.parse(
                "2026-11-01T00:00:00Z")));
        before.reindex("orphan", DAY);
        scan("labelled", "backbone-a", 0);
        labels.put("labelled", new StoreSerdes.LabelFact(ClinicalLabel.NON_COVID, "dr-a", OffsetDateTime.parse(
                "2026-11-01T00:00:00Z")));
        before.reindex("labelled", 0);
        before.close();
        assertThat(counts).containsEntry(PendingKind.UNLABELLED_SCAN, 0L).containsEntry(PendingKind.ORPHAN_LABEL, 0L);

        PendingState after = state(); // the same stores: as the changelogs restore them

        assertThat(counts).containsEntry(PendingKind.UNLABELLED_SCAN, 1L).containsEntry(PendingKind.ORPHAN_LABEL, 1L);
        after.sweep(31 * DAY);
        assertThat(expired).containsExactly("old UNLABELLED_SCAN AGE", "orphan ORPHAN_LABEL AGE");
        assertThat(embeddings.get(TrainingFacts.embeddingKey("backbone-a", "old"))).isNull();
        assertThat(scans.get("old")).isNull();
        assertThat(labels.get("orphan")).isNull();
        assertThat(embeddings.get(TrainingFacts.embeddingKey("backbone-a", "labelled"))).isNotNull();
        assertThat(counts).containsEntry(PendingKind.UNLABELLED_SCAN, 0L).containsEntry(PendingKind.ORPHAN_LABEL, 0L);
    }

    private PendingState state() {
        PendingState state = new PendingState("0_0", PendingStateTest.LIMITS, listener, labels, scans, embeddings,
                pending, backbones);
        state.open();
        return state;
    }

    private void scan(String scanId, String backbone, float value) {
        scans.put(scanId, new StoreSerdes.ScanFact("p-" + scanId, "origin-a", "/devices/ct-1"));
        embeddings.put(TrainingFacts.embeddingKey(backbone, scanId), new float[] {value});
    }

    private <V> KeyValueStore<String, V> store(String name, Serde<V> serde) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                Serdes.String(), serde).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }
}
