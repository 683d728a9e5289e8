package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatencyPercentilesTest {

    @Test
    void takesTheNearestRankOfOneToAHundred() {
        List<Double> millis = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            millis.add((double) i);
        }
        Collections.shuffle(millis, new java.util.Random(3));
        LatencyPercentiles p = LatencyPercentiles.of(millis);
        assertThat(p.count()).isEqualTo(100);
        assertThat(p.p50()).isEqualTo(50);
        assertThat(p.p95()).isEqualTo(95);
        assertThat(p.p99()).isEqualTo(99);
        assertThat(p.max()).isEqualTo(100);
    }

    @Test
    void reportsOnlyObservedValuesForSmallSamples() {
        LatencyPercentiles p = LatencyPercentiles.of(List.of(30.0, 10.0, 20.0));
        assertThat(p.p50()).isEqualTo(20); // ceil(1.5) = rank 2
        assertThat(p.p99()).isEqualTo(30);
        assertThat(LatencyPercentiles.of(List.of(7.0)).p50()).isEqualTo(7);
    }

    @Test
    void rejectsAnEmptySampleAndPercentilesOutOfRange() {
        assertThatThrownBy(() -> LatencyPercentiles.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyPercentiles.nearestRank(new double[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyPercentiles.nearestRank(new double[] {1}, 101))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
