package io.scanstream.inference.batching;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamicBatcherTest {

    /** Batches the processor saw: sizes, padded sizes, items. */
    private final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> paddedSizes = Collections.synchronizedList(new ArrayList<>());
    private DynamicBatcher<Integer, String> batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private DynamicBatcher<Integer, String> batcher(BatchingPolicy policy, DynamicBatcher.BatchProcessor<Integer, String> processor) {
        batcher = new DynamicBatcher<>("test-batcher", policy, processor, DynamicBatcher.Listener.NONE);
        return batcher;
    }

    private DynamicBatcher.BatchProcessor<Integer, String> recording() {
        return (items, padded) -> {
            batches.add(List.copyOf(items));
            paddedSizes.add(padded);
            return items.stream().map(i -> "r" + i).toList();
        };
    }

    @Test
    void dispatchesAFullBatchWithoutWaitingForTheDelay() throws Exception {
        batcher(BatchingPolicy.powersOfTwo(4, Duration.ofSeconds(30), 64), recording());
        long start = System.nanoTime();
        List<CompletableFuture<String>> futures = IntStream.range(0, 4).mapToObj(batcher::tryOffer).toList();
        for (CompletableFuture<String> f : futures) {
            f.get(5, TimeUnit.SECONDS); // far below the 30 s delay: the size trigger fired
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
        assertThat(batches).containsExactly(List.of(0, 1, 2, 3));
        // A fifth item alone does wait for the delay (not dispatched at once).
        CompletableFuture<String> alone = batcher.tryOffer(4);
        Thread.sleep(300);
        assertThat(alone).isNotDone();
    }

    @Test
    void dispatchesAPartialBatchWhenItsOldestItemHasWaitedTheMaxDelay() throws Exception {
        batcher(BatchingPolicy.powersOfTwo(32, Duration.ofMillis(200), 64), recording());
        long start = System.nanoTime();
        CompletableFuture<String> a = batcher.tryOffer(1);
        CompletableFuture<String> b = batcher.tryOffer(2);
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("r2");
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(a.get()).isEqualTo("r1");
        assertThat(batches).containsExactly(List.of(1, 2));
        // The delay trigger: not before the max delay (minus scheduling slack), not long after it.
        assertThat(waitedMs).isBetween(150L, 3000L);
    }

    @Test
    void padsEachBatchToTheSmallestBucketThatHoldsIt() throws Exception {
        BatchingPolicy policy = new BatchingPolicy(32, Duration.ofMillis(50), 64, List.of(1, 8, 32));
        assertThat(policy.bucketFor(1)).isEqualTo(1);
        assertThat(policy.bucketFor(2)).isEqualTo(8);
        assertThat(policy.bucketFor(8)).isEqualTo(8);
        assertThat(policy.bucketFor(9)).isEqualTo(32);
        batcher(policy, recording());
        List<CompletableFuture<String>> futures = IntStream.range(0, 3).mapToObj(batcher::tryOffer).toList();
        for (CompletableFuture<String> f : futures) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertThat(batches).containsExactly(List.of(0, 1, 2));
        assertThat(paddedSizes).containsExactly(8);
    }

    @Test
    void keepsArrivalOrderWithinAndAcrossBatches() throws Exception {
        batcher(BatchingPolicy.powersOfTwo(8, Duration.ofMillis(5), 1000), recording());
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(batcher.tryOffer(i));
            if (i % 17 == 0) {
                Thread.sleep(3);
            }
        }
        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i).get(5, TimeUnit.SECONDS)).isEqualTo("r" + i);
        }
        List<Integer> seen = batches.stream().flatMap(List::stream).toList();
        assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 200).boxed().toList());
        assertThat(batches).allSatisfy(b -> assertThat(b.size()).isBetween(1, 8));
    }

    @Test
    void refusesWhenTheQueueIsFullAndAcceptsAgainOnceDrained() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        batcher(BatchingPolicy.powersOfTwo(2, Duration.ZERO, 4), (items, padded) -> {
            gate.await();
            return recording().process(items, padded);
        });
        CompletableFuture<String> inProcessor = batcher.tryOffer(0);
        Thread.sleep(100); // the worker holds item 0 in the processor
        List<CompletableFuture<String>> queued = IntStream.rangeClosed(1, 4).mapToObj(batcher::tryOffer).toList();
        assertThat(queued).doesNotContainNull();
        assertThat(batcher.remainingCapacity()).isZero();
        assertThat(batcher.tryOffer(5)).as("full: backpressure, nothing dropped").isNull();

        gate.countDown();
        inProcessor.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<String> f : queued) {
            f.get(5, TimeUnit.SECONDS);
        }
        CompletableFuture<String> later = batcher.tryOffer(5);
        assertThat(later).isNotNull();
        assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo("r5");
    }

    @Test
    void failsEveryItemOfABatchWhoseProcessingFailsAndKeepsWorking() throws Exception {
        batcher(BatchingPolicy.powersOfTwo(4, Duration.ofMillis(20), 16), (items, padded) -> {
            if (items.contains(13)) {
                throw new IllegalStateException("forward pass failed");
            }
            return recording().process(items, padded);
        });
        CompletableFuture<String> bad = batcher.tryOffer(13);
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("forward pass failed");
        assertThat(batcher.tryOffer(14).get(5, TimeUnit.SECONDS)).isEqualTo("r14");
    }

    @Test
    void refusesPoliciesWhoseLargestBucketCannotHoldAFullBatch() {
        assertThatThrownBy(() -> new BatchingPolicy(32, Duration.ZERO, 64, List.of(1, 8, 16)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchingPolicy(32, Duration.ZERO, 16, List.of(32)))
                .isInstanceOf(IllegalArgumentException.class);
    }
    @Test
    void anErrorFromTheProcessorFailsOnlyItsBatchAndTheWorkerGoesOn() throws Exception {
        // Before: only Exception and LinkageError were caught; a StackOverflowError ended the worker thread and
        // every later scan waited for ever while the loop reported RUNNING.
        int[] calls = {0};
        batcher(BatchingPolicy.powersOfTwo(1, Duration.ofMillis(1), 8), (items, padded) -> {
            if (calls[0]++ == 0) {
                throw new StackOverflowError("poison");
            }
            return items.stream().map(i -> "r" + i).toList();
        });
        CompletableFuture<String> first = batcher.tryOffer(1);
        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StackOverflowError.class);
        assertThat(batcher.tryOffer(2).get(5, TimeUnit.SECONDS)).isEqualTo("r2");
        assertThat(batcher.alive()).isTrue();
        assertThat(batcher.death()).isNull();
    }

    @Test
    void aWorkerThatDiesSaysSoInsteadOfFallingSilent() throws Exception {
        List<Throwable> deaths = Collections.synchronizedList(new ArrayList<>());
        batcher = new DynamicBatcher<>("test-batcher", BatchingPolicy.powersOfTwo(1, Duration.ofMillis(1), 8),
                recording(), new DynamicBatcher.Listener() {
                    @Override
                    public void batchStarted(int size, int paddedSize, List<Duration> queueWaits) {
                        throw new OutOfMemoryError("listener (stub)");
                    }

                    @Override
                    public void workerDied(Throwable cause) {
                        deaths.add(cause);
                    }
                });
        batcher.tryOffer(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (batcher.alive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(batcher.alive()).isFalse();
        assertThat(batcher.death()).isInstanceOf(OutOfMemoryError.class);
        assertThat(deaths).singleElement().isInstanceOf(OutOfMemoryError.class);
    }
}
