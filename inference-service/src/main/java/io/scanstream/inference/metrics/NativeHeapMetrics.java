package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code scanstream_inference_native_heap_trims_total}: how often inference handed the native memory that
 * explanations and swaps freed back to the system (the log line {@code inference.native-heap.trimmed} says how much,
 * and how long glibc's arena was held).
 */
@ApplicationScoped
@Startup // present from the start, so dashboards see 0 rather than nothing
public class NativeHeapMetrics {

    private final Counter trims;

    public NativeHeapMetrics(MeterRegistry registry) {
        trims = Counter.builder("scanstream.inference.native.heap.trims")
                .description("Native heap trims after explanations or swaps went quiet").register(registry);
    }

    public void trimmed() {
        trims.increment();
    }
}
