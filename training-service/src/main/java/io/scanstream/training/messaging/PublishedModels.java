package io.scanstream.training.messaging;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.training.HeadRunPipeline;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The champion: the latest version under the model name on models.published, read from the beginning to the end
 * of the (compacted, committed) topic at the moment the gate needs it. Reading it fresh each time, rather than
 * following the topic in the background, means the gate sees what inference sees, including versions another
 * trainer published. A topic that cannot be read fails the run: publishing blind could replace a better head.
 */
@ApplicationScoped
public class PublishedModels implements HeadRunPipeline.ChampionSource {

    private static final int MAX_FETCH_BYTES = 17 * 1024 * 1024;

    private final String bootstrapServers;
    private final String topic;
    private final Duration timeout;

    public PublishedModels(TrainingConfig config,
                           @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.topic = config.topics().models();
        this.timeout = config.kafka().readTimeout();
    }

    @Override
    public Optional<ModelArtifact> current(String modelName) {
        Optional<ModelArtifact> latest = Optional.empty();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "training-champion-reader",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_FETCH_BYTES,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_FETCH_BYTES),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (modelName.equals(record.key())) {
                        try {
                            latest = Optional.of(EventCodecs.MODEL_PUBLISHED.fromRecord(record).artifact());
                        } catch (InvalidEventException e) {
                            // inference refuses it too; the version before it stays the champion
                        }
                    }
                }
            }
        }
        return latest;
    }
}
