package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ThreadCpuTest {

    @Test
    void foldsDigitsSoThatAPoolIsOneGroup() {
        assertThat(ThreadCpu.group("4243 (data-plane-kafk) S 1 4242 4242 0 -1 0 0 0 0 0 10 2 0 0 20 0 1 0 1 1 1"))
                .isEqualTo("data-plane-kafk");
        assertThat(ThreadCpu.group("4250 (pool-12-thread-3) S 1 4242 4242 0 -1 0 0 0 0 0 10 2 0 0 20 0 1 0 1 1 1"))
                .isEqualTo("pool-#-thread-#");
        assertThat(ThreadCpu.group("4251 (a (b) c) S 1")).isEqualTo("a (b) c");
        assertThatThrownBy(() -> ThreadCpu.group("4251 no name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsMillisecondsPerItemLargestFirstWithSmallGroupsAsOther() {
        Map<String, Long> before = Map.of("loop", 100L, "batcher", 1000L, "gc", 5L);
        // 100 ticks = 1 s of CPU; over 200 items: batcher 800 ticks = 40 ms/item, loop 195 = 9.75, gc 5 (< 1 %) other
        Map<String, Long> after = Map.of("loop", 295L, "batcher", 1800L, "gc", 10L, "new-thread", 0L);
        Map<String, Double> ms = ThreadCpu.msPerItem(before, after, 200);
        assertThat(ms.keySet()).containsExactly("all threads", "batcher", "loop", "other");
        assertThat(ms.get("all threads")).isCloseTo(50.0, within(1e-9));
        assertThat(ms.get("batcher")).isCloseTo(40.0, within(1e-9));
        assertThat(ms.get("loop")).isCloseTo(9.75, within(1e-9));
        assertThat(ms.get("other")).isCloseTo(0.25, within(1e-9));
        assertThatThrownBy(() -> ThreadCpu.msPerItem(before, after, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsThisJvmsThreads() {
        Map<String, Long> now = ThreadCpu.snapshot();
        assertThat(now).isNotEmpty();
        assertThat(now.values()).allMatch(t -> t >= 0);
    }
}
