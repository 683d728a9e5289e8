package io.scanstream.training.streams;

import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.IgnoredReason;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The training-set topology (Processor API: the events are CloudEvents in binary mode, and the processors read
 * their {@code ce_*} headers through the contract's codecs). Three sources, all keyed by scan id and co-partitioned
 * — scans.labels, scans.embeddings and scans.preprocessed — feed one processor, which holds the task's persistent
 * stores (RocksDB, backed by changelog topics). {@link TrainingFacts} holds the rules, {@link PendingState} the bound
 * on what waits for its other half.
 *
 * <p>A record the rules cannot use (undecodable, keyed other than by its scan id) or that makes them fail goes,
 * unchanged and with the reason in headers, to the dead-letter topic (sink {@value #DEAD_LETTER_SINK}), in the same
 * transaction as the task's other effects: the stream goes on, and nothing vanishes or loops.
 */
public final class TrainingSetTopology {

    public static final String LABELS_SOURCE = "labels";
    public static final String EMBEDDINGS_SOURCE = "embeddings";
    public static final String PREPROCESSED_SOURCE = "preprocessed";
    /** One processor for the three sources: one task's facts, pending index and sweep in one place. */
    public static final String FACTS_PROCESSOR = "keep-facts";
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
    /** Scan id → what it waits for and since when ({@link PendingState}). */
    public static final String PENDING_STORE = "pending";
    /** Backbone id → when its first embedding arrived (to find a dropped scan's embeddings). */
    public static final String BACKBONES_STORE = "backbones";

    /** @param pending TTLs, cap and sweep interval of the pending state ({@code training.pending.*}) */
    public record Settings(String labelsTopic, String embeddingsTopic, String preprocessedTopic,
                           String deadLettersTopic, PendingLimits pending) {
        public Settings {
            Objects.requireNonNull(labelsTopic);
            Objects.requireNonNull(embeddingsTopic);
            Objects.requireNonNull(preprocessedTopic);
            Objects.requireNonNull(deadLettersTopic);
            Objects.requireNonNull(pending);
        }
    }

    /**
     * The bound on pending state ({@link PendingState}), checked here: a bad value stops the start, naming its key.
     *
     * @param maxEntries per task (one partition of the three topics), both kinds together
     */
    public record PendingLimits(Duration unlabelledTtl, Duration orphanLabelTtl, int maxEntries,
                                Duration sweepInterval) {
        public PendingLimits {
            positive("training.pending.unlabelled-ttl", unlabelledTtl);
            positive("training.pending.orphan-label-ttl", orphanLabelTtl);
            positive("training.pending.sweep-interval", sweepInterval);
            if (maxEntries < 10) {
                throw new IllegalArgumentException("training.pending.max-entries must be at least 10, got "
                        + maxEntries);
            }
        }

        Duration ttl(TrainingSetEvents.PendingKind kind) {
            return kind == TrainingSetEvents.PendingKind.UNLABELLED_SCAN ? unlabelledTtl : orphanLabelTtl;
        }

        private static void positive(String key, Duration value) {
            Objects.requireNonNull(value, key);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, got " + value);
            }
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
        topology.addProcessor(FACTS_PROCESSOR, () -> new FactProcessor(settings, listener), LABELS_SOURCE,
                EMBEDDINGS_SOURCE, PREPROCESSED_SOURCE);
        topology.addSink(DEAD_LETTER_SINK, settings.deadLettersTopic(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), FACTS_PROCESSOR);
        topology.addStateStore(store(LABELS_STORE, StoreSerdes.LABEL), FACTS_PROCESSOR);
        topology.addStateStore(store(SCANS_STORE, StoreSerdes.SCAN), FACTS_PROCESSOR);
        topology.addStateStore(store(EMBEDDINGS_STORE, StoreSerdes.VECTOR), FACTS_PROCESSOR);
        topology.addStateStore(store(PENDING_STORE, StoreSerdes.PENDING), FACTS_PROCESSOR);
        topology.addStateStore(store(BACKBONES_STORE, StoreSerdes.MILLIS), FACTS_PROCESSOR);
        return topology;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> serde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), serde);
    }

    private enum Side { LABEL, EMBEDDING, PREPROCESSED }

    /**
     * One per task; hands records with their headers and time to the rules, and what they refuse on to the
     * dead-letter topic; sweeps the task's pending state on stream time.
     */
    private static final class FactProcessor implements Processor<String, byte[], String, byte[]> {

        private final Settings settings;
        private final TrainingSetEvents listener;
        private ProcessorContext<String, byte[]> context;
        private TrainingFacts facts;
        private PendingState pending;

        FactProcessor(Settings settings, TrainingSetEvents listener) {
            this.settings = settings;
            this.listener = listener;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            KeyValueStore<String, StoreSerdes.LabelFact> labels = context.getStateStore(LABELS_STORE);
            KeyValueStore<String, StoreSerdes.ScanFact> scans = context.getStateStore(SCANS_STORE);
            KeyValueStore<String, float[]> embeddings = context.getStateStore(EMBEDDINGS_STORE);
            pending = new PendingState(context.taskId().toString(), settings.pending(), listener, labels, scans, embeddings,
                    context.getStateStore(PENDING_STORE), context.getStateStore(BACKBONES_STORE));
            pending.open();
            facts = new TrainingFacts(settings, listener, labels, scans, embeddings, pending);
            // Stream time, not wall-clock: a rebuild from the topics (records days old, read in minutes) expires
            // what the running service would have, and a label read just before its scan is not dropped meanwhile.
            context.schedule(settings.pending().sweepInterval(), PunctuationType.STREAM_TIME, pending::sweep);
        }

        @Override
        public void close() {
            if (pending != null) {
                pending.close();
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Side side = side(context.recordMetadata().map(RecordMetadata::topic).orElse(""));
            Optional<TrainingFacts.Refusal> refusal;
            try {
                refusal = switch (side) {
                    case LABEL -> facts.onLabel(record.key(), record.headers(), record.value(), record.timestamp());
                    case EMBEDDING -> facts.onEmbedding(record.key(), record.headers(), record.value(),
                            record.timestamp());
                    case PREPROCESSED -> facts.onPreprocessed(record.key(), record.headers(), record.value(),
                            record.timestamp());
                };
            } catch (KafkaException e) {
                throw e; // the broker, the stores, a fenced producer: Kafka Streams' own recovery, not the record's fault
            } catch (RuntimeException e) {
                // Anything else is this record meeting a bug or a case the rules do not know: it would fail the same
                // way on every retry, so it leaves the stream instead of looping it.
                refusal = Optional.of(new TrainingFacts.Refusal(IgnoredReason.FAILED, e.toString()));
                listener.ignored(sourceTopic(side), IgnoredReason.FAILED, record.key(), e.toString());
            }
            refusal.ifPresent(r -> context.forward(deadLetter(record, r, side)));
        }

        private Side side(String topic) {
            if (topic.equals(settings.labelsTopic())) {
                return Side.LABEL;
            }
            if (topic.equals(settings.embeddingsTopic())) {
                return Side.EMBEDDING;
            }
            if (topic.equals(settings.preprocessedTopic())) {
                return Side.PREPROCESSED;
            }
            throw new IllegalStateException("a record of topic '" + topic + "', which the topology does not read");
        }

        private Record<String, byte[]> deadLetter(Record<String, byte[]> record, TrainingFacts.Refusal refusal,
                                                  Side side) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            headers.add(REASON_HEADER, refusal.reason().name().getBytes(StandardCharsets.UTF_8));
            headers.add(DETAIL_HEADER, refusal.detail().getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE_TOPIC_HEADER, sourceTopic(side).getBytes(StandardCharsets.UTF_8));
            return record.withHeaders(headers);
        }

        private String sourceTopic(Side side) {
            return switch (side) {
                case LABEL -> settings.labelsTopic();
                case EMBEDDING -> settings.embeddingsTopic();
                case PREPROCESSED -> settings.preprocessedTopic();
            };
        }
    }
}
