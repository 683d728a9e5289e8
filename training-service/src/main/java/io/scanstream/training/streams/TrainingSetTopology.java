package io.scanstream.training.streams;

import io.scanstream.training.domain.Embedder;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingSetEvents;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training-set topology (Processor API: the events are CloudEvents in binary mode, and the processors read
 * their {@code ce_*} headers through the contract's codecs). Three sources, all keyed by scan id and co-partitioned
 * — scans.labels, scans.embeddings and, when recomputing is on, scans.preprocessed — feed one processor each; all
 * share the task's persistent stores (RocksDB, backed by changelog topics), so a scan's label, embedding and image
 * meet in one task. {@link TrainingSetJoin} holds the rules.
 */
public final class TrainingSetTopology {

    public static final String LABELS_SOURCE = "labels";
    public static final String EMBEDDINGS_SOURCE = "embeddings";
    public static final String PREPROCESSED_SOURCE = "preprocessed";
    public static final String LABEL_PROCESSOR = "join-label";
    public static final String EMBEDDING_PROCESSOR = "join-embedding";
    public static final String PREPROCESSED_PROCESSOR = "keep-image";

    /** Joined rows: the training set. */
    public static final String TRAINING_SET_STORE = "training-set";
    /** Labels waiting for their scan's embedding. */
    public static final String PENDING_LABELS_STORE = "pending-labels";
    /** Embeddings waiting for a label. */
    public static final String UNLABELLED_EMBEDDINGS_STORE = "unlabelled-embeddings";
    /** Preprocessed scans without an embedding of the configured backbone. */
    public static final String PENDING_IMAGES_STORE = "pending-images";

    /**
     * @param backboneId  only embeddings of this backbone join; recomputed ones get it
     * @param featureDim  the backbone's feature width
     * @param recompute   keep images of scans without such an embedding and embed them when labelled
     */
    public record Settings(String labelsTopic, String embeddingsTopic, String preprocessedTopic, String backboneId,
                           int featureDim, boolean recompute) {
        public Settings {
            Objects.requireNonNull(labelsTopic);
            Objects.requireNonNull(embeddingsTopic);
            Objects.requireNonNull(preprocessedTopic);
            Objects.requireNonNull(backboneId);
        }
    }

    private TrainingSetTopology() {
    }

    public static Topology build(Settings settings, Embedder embedder, TrainingSetEvents listener) {
        Topology topology = new Topology();
        var keys = Serdes.String().deserializer();
        var values = Serdes.ByteArray().deserializer();
        topology.addSource(LABELS_SOURCE, keys, values, settings.labelsTopic());
        topology.addSource(EMBEDDINGS_SOURCE, keys, values, settings.embeddingsTopic());
        topology.addProcessor(LABEL_PROCESSOR, () -> new JoinProcessor(settings, embedder, listener, Side.LABEL),
                LABELS_SOURCE);
        topology.addProcessor(EMBEDDING_PROCESSOR,
                () -> new JoinProcessor(settings, embedder, listener, Side.EMBEDDING), EMBEDDINGS_SOURCE);
        List<String> processors = new ArrayList<>(List.of(LABEL_PROCESSOR, EMBEDDING_PROCESSOR));
        if (settings.recompute()) {
            topology.addSource(PREPROCESSED_SOURCE, keys, values, settings.preprocessedTopic());
            topology.addProcessor(PREPROCESSED_PROCESSOR,
                    () -> new JoinProcessor(settings, embedder, listener, Side.PREPROCESSED), PREPROCESSED_SOURCE);
            processors.add(PREPROCESSED_PROCESSOR);
        }
        String[] connected = processors.toArray(String[]::new);
        topology.addStateStore(store(TRAINING_SET_STORE, StoreSerdes.EXAMPLE), connected);
        topology.addStateStore(store(PENDING_LABELS_STORE, StoreSerdes.PENDING_LABEL), connected);
        topology.addStateStore(store(UNLABELLED_EMBEDDINGS_STORE, StoreSerdes.UNLABELLED_EMBEDDING), connected);
        if (settings.recompute()) {
            topology.addStateStore(store(PENDING_IMAGES_STORE, StoreSerdes.PENDING_IMAGE), connected);
        }
        return topology;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name,
                                                                     org.apache.kafka.common.serialization.Serde<V> serde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), serde);
    }

    private enum Side { LABEL, EMBEDDING, PREPROCESSED }

    /** One per source and task; hands records with their headers to the join. */
    private static final class JoinProcessor implements Processor<String, byte[], Void, Void> {

        private final Settings settings;
        private final Embedder embedder;
        private final TrainingSetEvents listener;
        private final Side side;
        private TrainingSetJoin join;

        JoinProcessor(Settings settings, Embedder embedder, TrainingSetEvents listener, Side side) {
            this.settings = settings;
            this.embedder = embedder;
            this.listener = listener;
            this.side = side;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            KeyValueStore<String, TrainingExample> trainingSet = context.getStateStore(TRAINING_SET_STORE);
            join = new TrainingSetJoin(settings, embedder, listener, trainingSet,
                    context.getStateStore(PENDING_LABELS_STORE), context.getStateStore(UNLABELLED_EMBEDDINGS_STORE),
                    settings.recompute() ? context.getStateStore(PENDING_IMAGES_STORE) : null);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            switch (side) {
                case LABEL -> join.onLabel(record.key(), record.headers(), record.value());
                case EMBEDDING -> join.onEmbedding(record.key(), record.headers(), record.value());
                case PREPROCESSED -> join.onPreprocessed(record.key(), record.headers(), record.value());
            }
        }
    }
}
