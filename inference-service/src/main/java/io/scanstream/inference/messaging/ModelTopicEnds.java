package io.scanstream.inference.messaging;

import io.scanstream.inference.domain.ModelReplay;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the end offsets of the model topics at start, for {@link ModelReplay}: {@code models.published} first,
 * then {@code models.backbones} (a version below the first end finds its backbone below the second), with a
 * short-lived consumer of no group.
 */
public final class ModelTopicEnds {

    private ModelTopicEnds() {
    }

    /**
     * @param topics  in the order their ends must be taken
     * @throws org.apache.kafka.common.KafkaException when the broker does not answer within {@code timeout}
     * @throws IllegalStateException when a topic does not exist
     */
    public static Map<String, Long> take(Map<String, Object> clientSettings, List<String> topics, Duration timeout) {
        Map<String, Object> settings = new java.util.HashMap<>(clientSettings);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, Long> ends = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            for (String topic : topics) {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
                if (partitions == null || partitions.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist");
                }
                List<TopicPartition> tps = partitions.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.endOffsets(tps, timeout)
                        .forEach((tp, end) -> ends.put(ModelReplay.partition(tp.topic(), tp.partition()), end));
            }
        }
        return ends;
    }
}
