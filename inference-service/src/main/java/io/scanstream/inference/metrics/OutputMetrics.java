package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.scanstream.inference.domain.OutputGuard;
import jakarta.inject.Singleton;

/**
 * What the forward pass did wrong: {@code scanstream_inference_non_finite_outputs_total} (scans whose embedding or
 * probability was NaN or infinite: each an INTERNAL rejection), {@code _model_withdrawn_total} (head versions
 * withdrawn after a run of them), {@code _forward_errors_total} (Errors, such as an OutOfMemoryError or a
 * StackOverflowError, thrown by a forward pass and caught). A singleton, built when the pipeline is: the counters
 * exist (at 0) from the start, so alerts see 0 rather than nothing.
 */
@Singleton
public class OutputMetrics implements OutputGuard.Observer {

    private final Counter nonFinite;
    private final Counter withdrawn;
    private final Counter forwardErrors;

    public OutputMetrics(MeterRegistry registry) {
        nonFinite = Counter.builder("scanstream.inference.non.finite.outputs")
                .description("Scans whose embedding or probability was NaN or infinite (rejected as INTERNAL)")
                .register(registry);
        withdrawn = Counter.builder("scanstream.inference.model.withdrawn")
                .description("Head versions withdrawn in service after consecutive non-finite outputs")
                .register(registry);
        forwardErrors = Counter.builder("scanstream.inference.forward.errors")
                .description("Errors (OutOfMemoryError, StackOverflowError, ...) thrown by a forward pass")
                .register(registry);
    }

    @Override
    public void nonFinite(String version, String backboneId) {
        nonFinite.increment();
    }

    @Override
    public void withdrawn(String version, int consecutive) {
        withdrawn.increment();
    }

    @Override
    public void forwardError(Throwable error) {
        forwardErrors.increment();
    }
}
