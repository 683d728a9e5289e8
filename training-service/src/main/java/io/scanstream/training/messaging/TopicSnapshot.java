package io.scanstream.training.messaging;

import io.scanstream.service.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a (compacted) topic's committed records from its beginning to its end as of now, without a consumer group:
 * a snapshot of the latest state per key, for readers that need it once (the champion model, the pixels of
 * labelled scans) rather than a subscription. Client settings: {@code scanstream.kafka.clients.topic-snapshot.*}.
 */
@ApplicationScoped
public class TopicSnapshot {

    static final String CLIENT = "topic-snapshot";

    private final KafkaClientSettings clients;

    public TopicSnapshot(KafkaClientSettings clients) {
        this.clients = clients;
    }

    /** @throws IllegalStateException when the topic does not exist or cannot be read to its end in time */
    void read(String topic, Duration timeout, Consumer<ConsumerRecord<String, byte[]>> each) {
        // Only committed records, and no group: nothing to commit, nothing left behind on the broker.
        Map<String, Object> required = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(clients.forClient(CLIENT, required),
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
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }
}
