package io.scanstream.ingest.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decode workers PipelineProducer gives the pipeline, and the parallelism setting's one default. */
class DecodePoolTest {

    @Test
    void decodeWorkersAreNamedDaemonsAndAsManyAsAsked() throws Exception {
        ExecutorService pool = PipelineProducer.decodePool(3);
        try {
            Set<String> names = ConcurrentHashMap.newKeySet();
            CountDownLatch allBusy = new CountDownLatch(3);
            List<Future<Boolean>> daemons = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                daemons.add(pool.submit(() -> {
                    names.add(Thread.currentThread().getName());
                    allBusy.countDown();
                    allBusy.await(10, TimeUnit.SECONDS); // keeps each task on a thread of its own
                    return Thread.currentThread().isDaemon();
                }));
            }
            for (Future<Boolean> daemon : daemons) {
                assertThat(daemon.get(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(names).containsExactlyInAnyOrder("ingest-decode-1", "ingest-decode-2", "ingest-decode-3");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesAParallelismBelowOneWithTheKeyInTheMessage() {
        IngestConfig.Decode zero = () -> OptionalInt.of(0);
        assertThatThrownBy(zero::decodeParallelism).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingest.decode.parallelism must be at least 1").hasMessageContaining("was 0");
        assertThatThrownBy(() -> PipelineProducer.decodePool(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -2");
    }

    @Test
    void unsetParallelismIsTheProcessorCount() {
        IngestConfig.Decode unset = OptionalInt::empty;
        assertThat(unset.decodeParallelism()).isEqualTo(Runtime.getRuntime().availableProcessors())
                .isEqualTo(IngestConfig.Decode.defaultParallelism());
        IngestConfig.Decode one = () -> OptionalInt.of(1);
        assertThat(one.decodeParallelism()).isEqualTo(1);
    }
}
