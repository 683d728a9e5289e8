package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scanstream.inference.batching.DynamicBatcher;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The batcher's meters: {@code scanstream_inference_batch_size}, {@code _batch_padded_size},
 * {@code _queue_wait_seconds}, {@code _forward_seconds}, {@code _batcher_alive} (0 once the worker thread died:
 * liveness is DOWN too) and {@code _batcher_deaths_total}.
 */
@ApplicationScoped
public class BatchMetrics implements DynamicBatcher.Listener {

    private final DistributionSummary batchSize;
    private final DistributionSummary paddedSize;
    private final Timer queueWait;
    private final Timer forward;
    private final Counter deaths;
    private final MeterRegistry registry;

    public BatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        deaths = Counter.builder("scanstream.inference.batcher.deaths")
                .description("Times the batcher's worker thread died (the loop fails and liveness goes DOWN)")
                .register(registry);
        batchSize = DistributionSummary.builder("scanstream.inference.batch.size")
                .description("Scans per forward pass").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry);
        paddedSize = DistributionSummary.builder("scanstream.inference.batch.padded.size")
                .description("Bucket size each batch was padded to").register(registry);
        queueWait = Timer.builder("scanstream.inference.queue.wait").description("Time a scan waited for its batch")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        forward = Timer.builder("scanstream.inference.forward").description("Forward pass time per batch")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    }

    /** The batcher's worker, alive (1) or dead (0). */
    public void bind(BooleanSupplier alive) {
        Gauge.builder("scanstream.inference.batcher.alive", alive, a -> a.getAsBoolean() ? 1 : 0)
                .description("1 while the batcher's worker thread works").strongReference(true).register(registry);
    }

    @Override
    public void workerDied(Throwable cause) {
        deaths.increment();
    }

    @Override
    public void batchStarted(int size, int padded, List<Duration> queueWaits) {
        batchSize.record(size);
        paddedSize.record(padded);
        queueWaits.forEach(queueWait::record);
    }

    @Override
    public void batchFinished(int size, Duration processing, boolean failed) {
        forward.record(processing);
    }
}
