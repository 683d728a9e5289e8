package io.scanstream.training.streams;

import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.IgnoredReason;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The training-set topology (Processor API: the events are CloudEvents in binary mode, and the processors read
 * their {@code ce_*} headers through the contract's codecs). Three sources, all keyed by scan id and co-partitioned
 * — scans.labels, scans.embeddings and scans.preprocessed — feed one processor each; all share the task's
 * persistent stores (RocksDB, backed by changelog topics). {@link TrainingFacts} holds the rules.
 *
 * <p>A record the rules cannot use (undecodable, keyed other than by its scan id) or that makes them fail goes,
 * unchanged and with the reason in headers, to the dead-letter topic (sink {@value #DEAD_LETTER_SINK}), in the same
 * transaction as the task's other effects: the stream goes on, and nothing vanishes or loops.
 */
public final class TrainingSetTopology {

    public static final String LABELS_SOURCE = "labels";
    public static final String EMBEDDINGS_SOURCE = "embeddings";
    public static final String PREPROCESSED_SOURCE = "preprocessed";
    public static final String LABEL_PROCESSOR = "keep-label";
    public static final String EMBEDDING_PROCESSOR = "keep-embedding";
    public static final String PREPROCESSED_PROCESSOR = "keep-scan";
    public static final String DEAD_LETTER_SINK = "dead-letters";

    /** Headers a dead letter carries besides the original record's. */
    public static final String REASON_HEADER = "scanstream_dead_letter_reason";
    public static final String DETAIL_HEADER = "scanstream_dead_letter_detail";
    public static final String SOURCE_TOPIC_HEADER = "scanstream_dead_letter_topic";

    /** Scan id → its latest label. */
    public static final String LABELS_STORE = "labels";
    /** Scan id → patient pseudonym and origin. */
    public static final String SCANS_STORE = "scans";
    /** {@code <backboneId>|<scanId>} → embedding. */
    public static final String EMBEDDINGS_STORE = "embeddings";

    public record Settings(String labelsTopic, String embeddingsTopic, String preprocessedTopic,
                           String deadLettersTopic) {
        public Settings {
            Objects.requireNonNull(labelsTopic);
            Objects.requireNonNull(embeddingsTopic);
            Objects.requireNonNull(preprocessedTopic);
            Objects.requireNonNull(deadLettersTopic);
        }
    }

    private TrainingSetTopology() {
    }

    public static Topology build(Settings settings, TrainingSetEvents listener) {
        Topology topology = new Topology();
        var keys = Serdes.String().deserializer();
        var values = Serdes.ByteArray().deserializer();
        topology.addSource(LABELS_SOURCE, keys, values, settings.labelsTopic());
        topology.addSource(EMBEDDINGS_SOURCE, keys, values, settings.embeddingsTopic());
        topology.addSource(PREPROCESSED_SOURCE, keys, values, settings.preprocessedTopic());
        topology.addProcessor(LABEL_PROCESSOR, () -> new FactProcessor(settings, listener, Side.LABEL), LABELS_SOURCE);
        topology.addProcessor(EMBEDDING_PROCESSOR, () -> new FactProcessor(settings, listener, Side.EMBEDDING),
                EMBEDDINGS_SOURCE);
        topology.addProcessor(PREPROCESSED_PROCESSOR, () -> new FactProcessor(settings, listener, Side.PREPROCESSED),
                PREPROCESSED_SOURCE);
        String[] connected = {LABEL_PROCESSOR, EMBEDDING_PROCESSOR, PREPROCESSED_PROCESSOR};
        topology.addSink(DEAD_LETTER_SINK, settings.deadLettersTopic(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), connected);
        topology.addStateStore(store(LABELS_STORE, StoreSerdes.LABEL), connected);
        topology.addStateStore(store(SCANS_STORE, StoreSerdes.SCAN), connected);
        topology.addStateStore(store(EMBEDDINGS_STORE, StoreSerdes.VECTOR), connected);
        return topology;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> serde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), serde);
    }

    private enum Side { LABEL, EMBEDDING, PREPROCESSED }

    /** One per source and task; hands records with their headers to the rules, and what they refuse on. */
    private static final class FactProcessor implements Processor<String, byte[], String, byte[]> {

        private final Settings settings;
        private final TrainingSetEvents listener;
        private final Side side;
        private ProcessorContext<String, byte[]> context;
        private TrainingFacts facts;

        FactProcessor(Settings settings, TrainingSetEvents listener, Side side) {
            this.settings = settings;
            this.listener = listener;
            this.side = side;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            facts = new TrainingFacts(settings, listener, context.getStateStore(LABELS_STORE),
                    context.getStateStore(SCANS_STORE), context.getStateStore(EMBEDDINGS_STORE));
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Optional<TrainingFacts.Refusal> refusal;
            try {
                refusal = switch (side) {
                    case LABEL -> facts.onLabel(record.key(), record.headers(), record.value());
                    case EMBEDDING -> facts.onEmbedding(record.key(), record.headers(), record.value());
                    case PREPROCESSED -> facts.onPreprocessed(record.key(), record.headers(), record.value());
                };
            } catch (KafkaException e) {
                throw e; // the broker, the stores, a fenced producer: Kafka Streams' own recovery, not the record's fault
            } catch (RuntimeException e) {
                // Anything else is this record meeting a bug or a case the rules do not know: it would fail the same
                // way on every retry, so it leaves the stream instead of looping it.
                refusal = Optional.of(new TrainingFacts.Refusal(IgnoredReason.FAILED, e.toString()));
                listener.ignored(sourceTopic(), IgnoredReason.FAILED, record.key(), e.toString());
            }
            refusal.ifPresent(r -> context.forward(deadLetter(record, r)));
        }

        private Record<String, byte[]> deadLetter(Record<String, byte[]> record, TrainingFacts.Refusal refusal) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            headers.add(REASON_HEADER, refusal.reason().name().getBytes(StandardCharsets.UTF_8));
            headers.add(DETAIL_HEADER, refusal.detail().getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE_TOPIC_HEADER, sourceTopic().getBytes(StandardCharsets.UTF_8));
            return record.withHeaders(headers);
        }

        private String sourceTopic() {
            return switch (side) {
                case LABEL -> settings.labelsTopic();
                case EMBEDDING -> settings.embeddingsTopic();
                case PREPROCESSED -> settings.preprocessedTopic();
            };
        }
    }
}
