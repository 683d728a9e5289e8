package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.inference.domain.ScanOutcome;
import io.scanstream.inference.messaging.InferenceLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The scan loop's meters, counted from the outcomes it committed (the label is the outcome's, never recomputed):
 * {@code scanstream_inference_predictions_total{label}}, {@code _rejections_total{reason}},
 * {@code _latency_seconds} (acquisition → prediction), {@code _consumer_paused}, {@code _transactions_aborted_total},
 * {@code _producer_recreated_total}, {@code _queue_depth}, {@code _in_flight}, {@code _device_info{device,backbone}}, and the loop's Kafka clients.
 */
@ApplicationScoped
public class LoopMetrics implements InferenceLoop.Observer {

    private final MeterRegistry registry;
    private final Timer latency;
    private final Map<PredictedLabel, Counter> predictions = new EnumMap<>(PredictedLabel.class);
    private final Map<RejectionReason, Counter> rejections = new EnumMap<>(RejectionReason.class);
    private final Counter aborted;
    private final Counter recreated;
    private final AtomicInteger paused = new AtomicInteger();

    public LoopMetrics(MeterRegistry registry) {
        this.registry = registry;
        latency = Timer.builder("scanstream.inference.latency")
                .description("Acquisition time (ce_time) to published prediction")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        for (PredictedLabel label : PredictedLabel.values()) {
            predictions.put(label, Counter.builder("scanstream.inference.predictions").tag("label", label.name())
                    .description("Predictions published, by label").register(registry));
        }
        // Registered up front: alerts on rate() see 0, not an absent series.
        for (RejectionReason reason : RejectionReason.values()) {
            rejections.put(reason, Counter.builder("scanstream.inference.rejections").tag("reason", reason.name())
                    .description("Scans inference gave up on, by reason (stage inference on scans.rejected)")
                    .register(registry));
        }
        aborted = Counter.builder("scanstream.inference.transactions.aborted")
                .description("Transactions aborted (their scans are re-read)").register(registry);
        recreated = Counter.builder("scanstream.inference.producer.recreated")
                .description("Transactional producers replaced after a transaction they could not abort (timeout)")
                .register(registry);
        registry.gauge("scanstream.inference.consumer.paused", paused);
    }

    /** Gauges that read the running pipeline, and the loop's own Kafka clients (lag and rates, as channels have). */
    public void bind(String backboneId, String device, Supplier<Number> queueDepth, Supplier<Number> inFlight,
                     Consumer<?, ?> consumer, Producer<?, ?> producer) {
        registry.gauge("scanstream.inference.queue.depth", Tags.empty(), queueDepth, s -> s.get().doubleValue());
        registry.gauge("scanstream.inference.in.flight", Tags.empty(), inFlight, s -> s.get().doubleValue());
        registry.gauge("scanstream.inference.device.info", Tags.of("device", device, "backbone", backboneId), 1);
        new KafkaClientMetrics(consumer).bindTo(registry);
        new KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void paused(boolean isPaused) {
        paused.set(isPaused ? 1 : 0);
    }

    @Override
    public void published(ScanOutcome outcome) {
        if (outcome instanceof ScanOutcome.Predicted p) {
            latency.record(p.latency().isNegative() ? Duration.ZERO : p.latency());
            predictions.get(p.prediction().label()).increment();
        } else if (outcome instanceof ScanOutcome.Rejected r) {
            rejections.get(r.rejection().reason()).increment();
        }
    }

    @Override
    public void transactionAborted(Exception cause) {
        aborted.increment();
    }

    @Override
    public void producerRecreated(Exception cause) {
        recreated.increment();
    }
}
