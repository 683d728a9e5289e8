package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.inference.domain.InferenceResult;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.messaging.InferenceLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Inference meters (Prometheus names): {@code scanstream_inference_batch_size}, {@code _batch_padded_size},
 * {@code _queue_wait_seconds}, {@code _forward_seconds}, {@code _latency_seconds} (acquisition → prediction),
 * {@code _predictions_total{label}}, {@code _rejections_total{reason}}, {@code _model_info{version,backbone}},
 * {@code _model_swaps_total}, {@code _model_refused_total{reason}}, {@code _device_info{device}},
 * {@code _queue_depth}, {@code _in_flight}, {@code _consumer_paused}, {@code _transactions_aborted_total}.
 */
@ApplicationScoped
public class InferenceMetrics implements DynamicBatcher.Listener, InferenceLoop.Observer, ModelVersions.Observer {

    private static final Logger LOG = Logger.getLogger(InferenceMetrics.class);

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final DistributionSummary paddedSize;
    private final Timer queueWait;
    private final Timer forward;
    private final Timer latency;
    private final Map<PredictedLabel, Counter> predictions = new EnumMap<>(PredictedLabel.class);
    private final Counter swaps;
    private final Counter aborted;
    private final AtomicInteger paused = new AtomicInteger();
    private final MultiGauge modelInfo;
    private String backbone = "unknown";
    private volatile java.time.OffsetDateTime servingCreatedAt;

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        batchSize = DistributionSummary.builder("scanstream.inference.batch.size")
                .description("Scans per forward pass").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry);
        paddedSize = DistributionSummary.builder("scanstream.inference.batch.padded.size")
                .description("Bucket size each batch was padded to").register(registry);
        queueWait = Timer.builder("scanstream.inference.queue.wait").description("Time a scan waited for its batch")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        forward = Timer.builder("scanstream.inference.forward").description("Forward pass time per batch")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        latency = Timer.builder("scanstream.inference.latency")
                .description("Acquisition time (ce_time) to published prediction")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        for (PredictedLabel label : PredictedLabel.values()) {
            predictions.put(label, Counter.builder("scanstream.inference.predictions").tag("label", label.name())
                    .description("Predictions published, by label").register(registry));
        }
        swaps = Counter.builder("scanstream.inference.model.swaps").description("Head versions swapped in").register(registry);
        aborted = Counter.builder("scanstream.inference.transactions.aborted")
                .description("Transactions aborted (their scans are re-read)").register(registry);
        registry.gauge("scanstream.inference.consumer.paused", paused);
        // Age of the head in service (NaN before the first): alerts on a model that stopped being refreshed.
        io.micrometer.core.instrument.Gauge.builder("scanstream.inference.model.age", this,
                        m -> m.servingCreatedAt == null ? Double.NaN
                                : Duration.between(m.servingCreatedAt, java.time.OffsetDateTime.now()).toSeconds())
                .baseUnit("seconds").description("Time since the serving head version was trained").register(registry);
        modelInfo = MultiGauge.builder("scanstream.inference.model.info")
                .description("The head version in service (value 1), tagged with version and backbone").register(registry);
        for (io.scanstream.core.contract.RejectionReason reason : io.scanstream.core.contract.RejectionReason.values()) {
            rejections(reason); // registered up front: alerts on rate() see 0, not an absent series
        }
        for (String reason : REFUSAL_REASONS) {
            refused(reason, 0); // present from the start, so dashboards and alerts see 0 rather than nothing
        }
    }

    public static final List<String> REFUSAL_REASONS =
            List.of("UNREADABLE", "SHA256_MISMATCH", "BACKBONE_MISMATCH", "SHAPE_MISMATCH", "UNLOADABLE");

    /** Gauges that read the running pipeline. */
    public void bind(String backboneId, String device, Supplier<Number> queueDepth, Supplier<Number> inFlight) {
        this.backbone = backboneId;
        registry.gauge("scanstream.inference.queue.depth", Tags.empty(), queueDepth, s -> s.get().doubleValue());
        registry.gauge("scanstream.inference.in.flight", Tags.empty(), inFlight, s -> s.get().doubleValue());
        registry.gauge("scanstream.inference.device.info", Tags.of("device", device, "backbone", backboneId), 1);
        modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", "none", "backbone", backboneId), 0)), true);
    }

    public void bindKafkaClients(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                 org.apache.kafka.clients.producer.Producer<?, ?> producer) {
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer).bindTo(registry);
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer).bindTo(registry);
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

    @Override
    public void paused(boolean isPaused) {
        paused.set(isPaused ? 1 : 0);
        LOG.infof("inference.consumer.%s queue full=%s", isPaused ? "paused" : "resumed", isPaused);
    }

    @Override
    public void published(InferenceResult result, Duration endToEnd) {
        latency.record(endToEnd.isNegative() ? Duration.ZERO : endToEnd);
        PredictedLabel label = result.probability() == null ? PredictedLabel.UNDETERMINED
                : result.probability() >= result.threshold() ? PredictedLabel.COVID : PredictedLabel.NON_COVID;
        predictions.get(label).increment();
    }

    private Counter rejections(io.scanstream.core.contract.RejectionReason reason) {
        return Counter.builder("scanstream.inference.rejections").tag("reason", reason.name())
                .description("Scans inference gave up on, by reason (stage inference on scans.rejected)").register(registry);
    }

    @Override
    public void rejected(ScanRejected rejection) {
        rejections(rejection.reason()).increment();
        LOG.infof("scan.rejected scanId=%s reason=%s detail=\"%s\"", rejection.scanId(), rejection.reason(), rejection.detail());
    }

    @Override
    public void transactionAborted(Exception cause) {
        aborted.increment();
    }

    @Override
    public void swapped(String from, String to, java.time.OffsetDateTime createdAt) {
        servingCreatedAt = createdAt;
        swaps.increment();
        modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", to, "backbone", backbone), 1)), true);
        LOG.infof("model.swapped from=%s to=%s backbone=%s", from, to, backbone);
    }

    public void refused(String reason, int count) {
        Counter counter = Counter.builder("scanstream.inference.model.refused").tag("reason", reason)
                .description("Published head versions refused (the serving version stays)").register(registry);
        counter.increment(count);
    }
}
