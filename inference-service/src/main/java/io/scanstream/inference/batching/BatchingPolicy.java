package io.scanstream.inference.batching;

import java.time.Duration;
import java.util.List;

/**
 * How the dynamic batcher forms batches.
 *
 * @param maxBatchSize  a batch never holds more items
 * @param maxDelay      the oldest item of a batch waits at most this long for others to join it (once the worker is
 *                      free to take it)
 * @param queueCapacity items that may wait; beyond it {@link DynamicBatcher#tryOffer} refuses (backpressure)
 * @param buckets       batch sizes the model is run with: a batch is padded to the smallest bucket that holds it,
 *                      so that libtorch sees a handful of shapes in steady state instead of one per batch size
 */
public record BatchingPolicy(int maxBatchSize, Duration maxDelay, int queueCapacity, List<Integer> buckets) {

    public BatchingPolicy {
        buckets = buckets.stream().sorted().distinct().toList();
        if (maxBatchSize < 1 || queueCapacity < maxBatchSize) {
            throw new IllegalArgumentException("need maxBatchSize >= 1 and queueCapacity >= maxBatchSize");
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative");
        }
        if (buckets.isEmpty() || buckets.get(0) < 1 || buckets.get(buckets.size() - 1) < maxBatchSize) {
            throw new IllegalArgumentException("buckets must be positive and the largest must hold maxBatchSize ("
                    + maxBatchSize + "), got " + buckets);
        }
    }

    /** Powers of two up to the max batch size (1, 2, 4, ... maxBatchSize). */
    public static BatchingPolicy powersOfTwo(int maxBatchSize, Duration maxDelay, int queueCapacity) {
        List<Integer> buckets = new java.util.ArrayList<>();
        for (int b = 1; b < maxBatchSize; b *= 2) {
            buckets.add(b);
        }
        buckets.add(maxBatchSize);
        return new BatchingPolicy(maxBatchSize, maxDelay, queueCapacity, buckets);
    }

    /** The padded size a batch of {@code size} items is run with. */
    public int bucketFor(int size) {
        for (int bucket : buckets) {
            if (bucket >= size) {
                return bucket;
            }
        }
        throw new IllegalArgumentException("batch of " + size + " exceeds the largest bucket");
    }
}
