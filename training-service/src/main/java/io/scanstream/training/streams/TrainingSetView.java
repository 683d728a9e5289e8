package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.TrainingSet;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Reads the topology's stores through interactive queries: the labelled scans with a backbone's embeddings (the
 * snapshot a run trains on), and counts for the API and metrics. One replica holds the whole training set (training-service runs as a single replica;
 * a second one would only see its partitions' share).
 */
@ApplicationScoped
public class TrainingSetView implements TrainingSet {

    private final KafkaStreams streams;

    public TrainingSetView(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public String state() {
        return streams.state().name();
    }

    @Override
    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** The newest labelled scans with the backbone's embedding where known, waiting up to {@code wait}. */
    @Override
    public Snapshot snapshot(String backboneId, int maxLabelled, Duration wait) {
        return snapshot(backboneId, maxLabelled, store(TrainingSetTopology.LABELS_STORE, wait),
                store(TrainingSetTopology.SCANS_STORE, wait), store(TrainingSetTopology.EMBEDDINGS_STORE, wait));
    }

    /** Every labelled scan (the rule, apart from how the stores are reached). */
    static Snapshot snapshot(String backboneId, ReadOnlyKeyValueStore<String, StoreSerdes.LabelFact> labels,
                             ReadOnlyKeyValueStore<String, StoreSerdes.ScanFact> scans,
                             ReadOnlyKeyValueStore<String, float[]> embeddings) {
        return snapshot(backboneId, Integer.MAX_VALUE, labels, scans, embeddings);
    }

    /** Oldest first by {@code labelledAt}, then scan id (a repeatable choice among equal times). */
    private static final Comparator<KeyValue<String, StoreSerdes.LabelFact>> OLDEST_FIRST = Comparator
            .<KeyValue<String, StoreSerdes.LabelFact>, java.time.Instant>comparing(e -> e.value.labelledAt().toInstant())
            .thenComparing(e -> e.key);

    /**
     * The newest {@code maxLabelled} labelled scans and their facts and embeddings. The labels are streamed through a
     * heap that keeps the newest (its head the oldest kept); facts and vectors are read for the kept ones only.
     */
    static Snapshot snapshot(String backboneId, int maxLabelled,
                             ReadOnlyKeyValueStore<String, StoreSerdes.LabelFact> labels,
                             ReadOnlyKeyValueStore<String, StoreSerdes.ScanFact> scans,
                             ReadOnlyKeyValueStore<String, float[]> embeddings) {
        if (maxLabelled < 1) {
            throw new IllegalArgumentException("a snapshot holds at least one labelled scan, asked for " + maxLabelled);
        }
        PriorityQueue<KeyValue<String, StoreSerdes.LabelFact>> newest = new PriorityQueue<>(OLDEST_FIRST);
        long inSet = 0;
        try (KeyValueIterator<String, StoreSerdes.LabelFact> all = labels.all()) {
            while (all.hasNext()) {
                newest.add(all.next());
                inSet++;
                if (newest.size() > maxLabelled) {
                    newest.poll();
                }
            }
        }
        List<KeyValue<String, StoreSerdes.LabelFact>> kept = new ArrayList<>(newest);
        kept.sort(Comparator.comparing(e -> e.key));
        List<LabelledScan> labelled = new ArrayList<>(kept.size());
        Map<String, float[]> vectors = new HashMap<>();
        for (KeyValue<String, StoreSerdes.LabelFact> entry : kept) {
            StoreSerdes.ScanFact facts = scans.get(entry.key);
            StoreSerdes.LabelFact label = entry.value;
            labelled.add(new LabelledScan(entry.key, label.label(), label.labelledBy(), label.labelledAt(),
                    facts == null ? null : facts.patient(), facts == null ? null : facts.origin(),
                    facts == null ? null : facts.device()));
            float[] vector = embeddings.get(TrainingFacts.embeddingKey(backboneId, entry.key));
            if (vector != null) {
                vectors.put(entry.key, vector);
            }
        }
        return new Snapshot(backboneId, labelled, vectors, inSet);
    }

    @Override
    public Summary summary(Duration wait) {
        ReadOnlyKeyValueStore<String, StoreSerdes.LabelFact> labels = store(TrainingSetTopology.LABELS_STORE, wait);
        ReadOnlyKeyValueStore<String, StoreSerdes.ScanFact> scans = store(TrainingSetTopology.SCANS_STORE, wait);
        long labelled = 0;
        long covid = 0;
        Set<String> patients = new HashSet<>();
        Set<String> origins = new HashSet<>();
        try (KeyValueIterator<String, StoreSerdes.LabelFact> all = labels.all()) {
            while (all.hasNext()) {
                KeyValue<String, StoreSerdes.LabelFact> entry = all.next();
                labelled++;
                covid += entry.value.label() == ClinicalLabel.COVID ? 1 : 0;
                StoreSerdes.ScanFact facts = scans.get(entry.key);
                if (facts != null && facts.patient() != null) {
                    patients.add(facts.patient());
                }
                if (facts != null && facts.origin() != null) {
                    origins.add(facts.origin());
                }
            }
        }
        return new Summary(streams.state().name(), labelled, covid, labelled - covid, patients.size(), origins.size(),
                approximate(TrainingSetTopology.EMBEDDINGS_STORE));
    }

    /** RocksDB's estimate of the labelled scans (cheap; for the gauge), or -1 while not queryable. */
    @Override
    public long approximateSize() {
        return approximate(TrainingSetTopology.LABELS_STORE);
    }

    private long approximate(String name) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name,
                    QueryableStoreTypes.<String, Object>keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return -1;
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                return streams.store(StoreQueryParameters.fromNameAndType(name,
                        QueryableStoreTypes.<String, V>keyValueStore()));
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("store " + name + " not queryable (Kafka Streams "
                            + streams.state() + ") after " + wait, e);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for store " + name, ie);
                }
            }
        }
    }
}
