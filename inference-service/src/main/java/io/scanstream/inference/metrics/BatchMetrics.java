package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scanstream.inference.batching.DynamicBatcher;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;

/**
 * The batcher's meters: {@code scanstream_inference_batch_size}, {@code _batch_padded_size},
 * {@code _queue_wait_seconds}, {@code _forward_seconds}.
 */
@ApplicationScoped
public class BatchMetrics implements DynamicBatcher.Listener {

    private final DistributionSummary batchSize;
    private final DistributionSummary paddedSize;
    private final Timer queueWait;
    private final Timer forward;

    public BatchMetrics(MeterRegistry registry) {
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
