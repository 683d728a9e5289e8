package io.scanstream.training.streams;

import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.ExpiryReason;
import io.scanstream.training.domain.TrainingSetEvents.PendingKind;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The bound on what the training set keeps while it waits for the other half of an example: a scan nobody has
 * labelled ({@link PendingKind#UNLABELLED_SCAN}: its facts and the embeddings of every backbone), a label for a
 * scan never seen ({@link PendingKind#ORPHAN_LABEL}). One per stream task (one partition of the three topics).
 *
 * <p>The {@code pending} store indexes them by scan id with the record time they became pending; a labelled
 * example (label and scan facts) is never in it and never expires. A sweep ({@link #sweep}, on stream time) drops
 * entries older than their kind's TTL, and, past {@code maxEntries}, the oldest down to 90 % of the cap
 * (so that a burst does not sweep at every record). Drops are store deletes, written to the changelogs in the
 * task's transaction: a restart restores the bounded stores, and nothing comes back.
 */
final class PendingState {

    private final String task;
    private final TrainingSetTopology.PendingLimits limits;
    private final TrainingSetEvents listener;
    private final KeyValueStore<String, StoreSerdes.LabelFact> labels;
    private final KeyValueStore<String, StoreSerdes.ScanFact> scans;
    private final KeyValueStore<String, float[]> embeddings;
    private final KeyValueStore<String, StoreSerdes.PendingFact> pending;
    private final KeyValueStore<String, Long> backbones;
    private final Map<PendingKind, Long> counts = new EnumMap<>(PendingKind.class);
    private final Set<String> knownBackbones = new LinkedHashSet<>();

    /** @param task the stream task's id, as metrics tell tasks apart */
    PendingState(String task, TrainingSetTopology.PendingLimits limits, TrainingSetEvents listener, KeyValueStore<String, StoreSerdes.LabelFact> labels,
                 KeyValueStore<String, StoreSerdes.ScanFact> scans, KeyValueStore<String, float[]> embeddings,
                 KeyValueStore<String, StoreSerdes.PendingFact> pending, KeyValueStore<String, Long> backbones) {
        this.task = task;
        this.limits = limits;
        this.listener = listener;
        this.labels = labels;
        this.scans = scans;
        this.embeddings = embeddings;
        this.pending = pending;
        this.backbones = backbones;
        for (PendingKind kind : PendingKind.values()) {
            counts.put(kind, 0L);
        }
    }

    /** Counts the restored index (the task's stores are restored before its processors start). */
    void open() {
        try (KeyValueIterator<String, StoreSerdes.PendingFact> all = pending.all()) {
            while (all.hasNext()) {
                counts.merge(all.next().value.kind(), 1L, Long::sum);
            }
        }
        try (KeyValueIterator<String, Long> all = backbones.all()) {
            while (all.hasNext()) {
                knownBackbones.add(all.next().key);
            }
        }
        counts.forEach((kind, n) -> listener.pendingCount(task, kind, n));
    }

    /** The task closes (rebalance, shutdown): its entries leave this instance's figures. */
    void close() {
        counts.replaceAll((kind, n) -> 0L);
        counts.forEach((kind, n) -> listener.pendingCount(task, kind, 0));
    }

    long count(PendingKind kind) {
        return counts.get(kind);
    }

    long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A backbone's embedding is kept: remember the backbone, so that dropping a scan finds all its embeddings. */
    void backbone(String backboneId, long timestamp) {
        if (knownBackbones.add(backboneId)) {
            backbones.put(backboneId, timestamp);
        }
    }

    /**
     * Puts the scan where its facts say after they changed at record time {@code timestamp}: labelled with facts →
     * out of the index; one half only → pending of that kind, keeping the time it first became so.
     */
    void reindex(String scanId, long timestamp) {
        boolean labelled = labels.get(scanId) != null;
        boolean seen = scans.get(scanId) != null;
        PendingKind wanted = labelled == seen ? null : labelled ? PendingKind.ORPHAN_LABEL : PendingKind.UNLABELLED_SCAN;
        StoreSerdes.PendingFact known = pending.get(scanId);
        PendingKind current = known == null ? null : known.kind();
        if (wanted == current) {
            return;
        }
        if (wanted == null) {
            pending.delete(scanId);
        } else {
            pending.put(scanId, new StoreSerdes.PendingFact(wanted, timestamp));
            changed(wanted, 1);
        }
        if (current != null) {
            changed(current, -1);
        }
        if (total() > limits.maxEntries()) {
            evictOldest(total() - target());
        }
    }

    /** Drops what is older than its TTL at stream time {@code now}, then the oldest beyond the cap. */
    void sweep(long now) {
        List<KeyValue<String, StoreSerdes.PendingFact>> expired = new ArrayList<>();
        try (KeyValueIterator<String, StoreSerdes.PendingFact> all = pending.all()) {
            while (all.hasNext()) {
                KeyValue<String, StoreSerdes.PendingFact> entry = all.next();
                if (now - entry.value.sinceMillis() >= limits.ttl(entry.value.kind()).toMillis()) {
                    expired.add(entry);
                }
            }
        }
        expired.forEach(e -> drop(e.key, e.value.kind(), ExpiryReason.AGE));
        if (total() > limits.maxEntries()) {
            evictOldest(total() - target());
        }
    }

    /** 90 % of the cap: an eviction makes room for a tenth of it before the next. */
    private long target() {
        return limits.maxEntries() - limits.maxEntries() / 10;
    }

    private void evictOldest(long n) {
        if (n <= 0) {
            return;
        }
        // The n oldest (ties by scan id, for a repeatable choice): a heap of n whose head is the youngest of them.
        Comparator<KeyValue<String, StoreSerdes.PendingFact>> age = Comparator
                .<KeyValue<String, StoreSerdes.PendingFact>>comparingLong(e -> e.value.sinceMillis())
                .thenComparing(e -> e.key);
        PriorityQueue<KeyValue<String, StoreSerdes.PendingFact>> oldest = new PriorityQueue<>(age.reversed());
        try (KeyValueIterator<String, StoreSerdes.PendingFact> all = pending.all()) {
            while (all.hasNext()) {
                oldest.add(all.next());
                if (oldest.size() > n) {
                    oldest.poll();
                }
            }
        }
        oldest.stream().sorted(age).forEach(e -> drop(e.key, e.value.kind(), ExpiryReason.CAP));
    }

    private void drop(String scanId, PendingKind kind, ExpiryReason reason) {
        if (kind == PendingKind.ORPHAN_LABEL) {
            labels.delete(scanId);
        } else {
            scans.delete(scanId);
            for (String backbone : knownBackbones) {
                String key = TrainingFacts.embeddingKey(backbone, scanId);
                if (embeddings.get(key) != null) { // a delete is a changelog record even when nothing was there
                    embeddings.delete(key);
                }
            }
        }
        pending.delete(scanId);
        changed(kind, -1);
        listener.expired(kind, reason, scanId);
    }

    private void changed(PendingKind kind, long delta) {
        listener.pendingCount(task, kind, counts.merge(kind, delta, Long::sum));
    }
}
