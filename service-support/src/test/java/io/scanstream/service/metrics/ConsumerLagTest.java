package io.scanstream.service.metrics;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumerLagTest {

    private static final TopicPartition A0 = new TopicPartition("scans.arrived", 0);
    private static final TopicPartition A1 = new TopicPartition("scans.arrived", 1);
    private static final TopicPartition A2 = new TopicPartition("scans.arrived", 2);
    private static final TopicPartition P0 = new TopicPartition("scans.preprocessed", 0);

    @Test
    void sumsEndMinusCommittedOverEachTopicsPartitions() {
        Map<String, Long> lag = ConsumerLag.byTopic(Map.of(A0, 100L, A1, 50L, P0, 7L), Map.of(A0, 90L, A1, 50L, P0, 0L),
                Map.of());
        assertThat(lag).isEqualTo(Map.of("scans.arrived", 10L, "scans.preprocessed", 7L));
    }

    @Test
    void countsAPartitionTheGroupNeverCommittedFromItsFirstRecord() {
        // What fetch lag misses: a group that fetched but never committed (stuck transactions) still lags.
        assertThat(ConsumerLag.byTopic(Map.of(A0, 100L, A2, 30L), Map.of(A0, 100L), Map.of(A2, 10L)))
                .isEqualTo(Map.of("scans.arrived", 20L));
    }

    @Test
    void neverReportsANegativeLag() {
        // A committed offset past the end as read (a compacted or truncated partition) is no lag, not a credit.
        assertThat(ConsumerLag.byTopic(Map.of(A0, 5L, A1, 10L), Map.of(A0, 9L, A1, 4L), Map.of()))
                .isEqualTo(Map.of("scans.arrived", 6L));
    }
}
