package io.scanstream.service.metrics;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.TreeMap;

/**
 * Committed lag of a consumer group: per topic, the records between what the group has committed and the end of
 * each partition. Unlike the consumer's own fetch lag ({@code records-lag-max}), it counts what was fetched but
 * never committed (a stuck transaction, a dead worker, a paused consumer) and it exists while no member runs.
 * Plain Java: {@link ConsumerGroupLagGauge} feeds it from an admin client.
 */
public final class ConsumerLag {

    private ConsumerLag() {
    }

    /**
     * @param ends      the end offset of every partition of the watched topics (read_committed: the last stable one)
     * @param committed the group's committed offset of the partitions it has one for
     * @param starts    the first offset of each partition; a partition the group never committed counts from here
     *                  (ScanStream's consumers start at the earliest record)
     * @return lag per topic, every topic of {@code ends} present
     */
    public static Map<String, Long> byTopic(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> committed,
                                            Map<TopicPartition, Long> starts) {
        Map<String, Long> lag = new TreeMap<>();
        ends.forEach((partition, end) -> {
            long from = committed.containsKey(partition) ? committed.get(partition) : starts.getOrDefault(partition, end);
            lag.merge(partition.topic(), Math.max(0, end - from), Long::sum);
        });
        return lag;
    }
}
