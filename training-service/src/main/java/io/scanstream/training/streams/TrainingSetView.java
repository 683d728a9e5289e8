package io.scanstream.training.streams;

import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.streams.StoredFacts.PendingLabel;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the topology's stores through interactive queries: the training-set snapshot a run trains on, and counts
 * for the API and metrics. One replica holds the whole training set (training-service runs as a single replica;
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

    /** Every row, waiting up to {@code wait} for the stores to be queryable (after a rebalance or a restore). */
    @Override
    public List<TrainingExample> snapshot(Duration wait) {
        ReadOnlyKeyValueStore<String, TrainingExample> store = store(TrainingSetTopology.TRAINING_SET_STORE, wait);
        List<TrainingExample> rows = new ArrayList<>();
        try (KeyValueIterator<String, TrainingExample> all = store.all()) {
            while (all.hasNext()) {
                rows.add(all.next().value);
            }
        }
        return rows;
    }

    @Override
    public Summary summary(Duration wait) {
        ReadOnlyKeyValueStore<String, TrainingExample> set = store(TrainingSetTopology.TRAINING_SET_STORE, wait);
        long examples = 0;
        long covid = 0;
        Set<String> patients = new HashSet<>();
        try (KeyValueIterator<String, TrainingExample> all = set.all()) {
            while (all.hasNext()) {
                TrainingExample row = all.next().value;
                examples++;
                covid += row.covid() ? 1 : 0;
                patients.add(row.splitKey());
            }
        }
        long pending = 0;
        ReadOnlyKeyValueStore<String, PendingLabel> labels = store(TrainingSetTopology.PENDING_LABELS_STORE, wait);
        try (KeyValueIterator<String, PendingLabel> all = labels.all()) {
            while (all.hasNext()) {
                KeyValue<String, PendingLabel> ignored = all.next();
                pending++;
            }
        }
        long unlabelled = approximate(TrainingSetTopology.UNLABELLED_EMBEDDINGS_STORE);
        long images = approximate(TrainingSetTopology.PENDING_IMAGES_STORE);
        return new Summary(streams.state().name(), examples, covid, examples - covid, patients.size(), pending,
                unlabelled, images);
    }

    /** RocksDB's estimate (cheap; for the gauge), or -1 while not queryable. */
    @Override
    public long approximateSize() {
        return approximate(TrainingSetTopology.TRAINING_SET_STORE);
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
