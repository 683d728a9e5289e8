package io.scanstream.inference.batching;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Groups items into batches for one worker thread (the thread that owns the model): a batch is dispatched when it
 * reaches the max batch size, or when its oldest item has waited the max delay, whichever comes first. Items
 * keep their arrival order within and across batches. The queue is bounded: when it is full,
 * {@link #tryOffer} refuses and the caller stops consuming (it pauses its Kafka consumer) until there is room.
 *
 * @param <I> item type
 * @param <O> result type, one per item
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

    /** Runs one batch; returns one result per item, in order. Runs on the batcher's worker thread only. */
    @FunctionalInterface
    public interface BatchProcessor<I, O> {
        List<O> process(List<I> items, int paddedSize) throws Exception;
    }

    /** Told about every batch: for metrics. */
    public interface Listener {
        Listener NONE = new Listener() { };

        default void batchStarted(int size, int paddedSize, List<Duration> queueWaits) {
        }

        default void batchFinished(int size, Duration processing, boolean failed) {
        }

        /** The worker thread ended with {@code cause} escaping it: nothing more will be processed. */
        default void workerDied(Throwable cause) {
        }
    }

    private record Pending<I, O>(I item, long enqueuedNanos, CompletableFuture<O> result) {
    }

    private final BatchingPolicy policy;
    private final BatchProcessor<I, O> processor;
    private final Listener listener;
    private final BlockingQueue<Pending<I, O>> queue;
    private final Thread worker;
    private volatile boolean running = true;
    private volatile Throwable death;

    public DynamicBatcher(String name, BatchingPolicy policy, BatchProcessor<I, O> processor, Listener listener) {
        this.policy = policy;
        this.processor = processor;
        this.listener = listener;
        this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
        this.worker = new Thread(this::work, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues an item; null when the queue is full (the caller must hold back and try again later). */
    public CompletableFuture<O> tryOffer(I item) {
        Pending<I, O> pending = new Pending<>(item, System.nanoTime(), new CompletableFuture<>());
        return queue.offer(pending) ? pending.result() : null;
    }

    /** Items waiting for a batch (not counting the batch being processed). */
    public int queued() {
        return queue.size();
    }

    public int remainingCapacity() {
        return queue.remainingCapacity();
    }

    public BatchingPolicy policy() {
        return policy;
    }

    /**
     * What ended the worker thread, or null while it works (or after a clean {@link #close}). A dead worker
     * completes no more results: its owner must stop (the inference loop fails and liveness reports it).
     */
    public Throwable death() {
        return death;
    }

    /** Whether the worker thread is working (false after its death or a close). */
    public boolean alive() {
        return death == null && worker.isAlive();
    }

    private void work() {
        try {
            batches();
        } catch (Throwable e) {
            // Each batch's failures are its own (run); what gets here is the loop itself failing (an Error while
            // waiting, a listener that throws). Reported, never silent: the loop stops and liveness goes DOWN.
            death = e;
            running = false;
            try {
                listener.workerDied(e);
            } catch (Throwable ignored) {
                // the death is recorded; nothing more to do on a thread that is ending
            }
        }
    }

    private void batches() {
        List<Pending<I, O>> batch = new ArrayList<>(policy.maxBatchSize());
        while (running) {
            try {
                Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = first.enqueuedNanos() + policy.maxDelay().toNanos();
                while (batch.size() < policy.maxBatchSize()) {
                    // Take what is already there without waiting, then wait only until the oldest item's deadline.
                    queue.drainTo(batch, policy.maxBatchSize() - batch.size());
                    long remaining = deadline - System.nanoTime();
                    if (batch.size() >= policy.maxBatchSize() || remaining <= 0) {
                        break;
                    }
                    Pending<I, O> next = queue.poll(remaining, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        Pending<I, O> left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("batcher closed"));
        }
    }

    private void run(List<Pending<I, O>> batch) {
        int padded = policy.bucketFor(batch.size());
        long start = System.nanoTime();
        List<Duration> waits = new ArrayList<>(batch.size());
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, O> pending : batch) {
            waits.add(Duration.ofNanos(start - pending.enqueuedNanos()));
            items.add(pending.item());
        }
        listener.batchStarted(batch.size(), padded, waits);
        List<O> results;
        try {
            results = processor.process(items, padded);
            if (results.size() != batch.size()) {
                throw new IllegalStateException("processor returned " + results.size() + " results for " + batch.size() + " items");
            }
        } catch (Throwable e) {
            // Any Throwable, Errors included (OutOfMemoryError, StackOverflowError): the batch's scans fail
            // (INTERNAL rejections), the worker goes on with the next batch.
            listener.batchFinished(batch.size(), Duration.ofNanos(System.nanoTime() - start), true);
            batch.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        listener.batchFinished(batch.size(), Duration.ofNanos(System.nanoTime() - start), false);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    /** Stops the worker; items still queued fail. Drain first (stop offering, await results) for a clean stop. */
    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
