package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.scanstream.inference.domain.Explanations;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code scanstream_inference_explanation_seconds{outcome}}: how long each {@code POST /explanations} took (the first
 * on a backbone includes building its PyTorch copy), by outcome: explained, not-served, busy, unavailable.
 */
@ApplicationScoped
@Startup // the meters exist before the first explanation
public class ExplanationMetrics implements Explanations.Observer {

    private static final List<String> OUTCOMES = List.of("explained", "not-served", "busy", "unavailable");

    private final Map<String, Timer> timers;

    public ExplanationMetrics(MeterRegistry registry) {
        // present from the start, so dashboards see 0 rather than nothing
        timers = OUTCOMES.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                outcome -> Timer.builder("scanstream.inference.explanation").tag("outcome", outcome)
                        .description("Grad-CAM explanation requests, by outcome")
                        .publishPercentileHistogram().register(registry)));
    }

    @Override
    public void finished(String outcome, long nanos) {
        Timer timer = timers.get(outcome);
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
