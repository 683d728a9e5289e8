package io.scanstream.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceMetricsTest {

    private static final String SWAPS = "scanstream_inference_model_swaps_total";
    private static final String TRIMS = "scanstream_inference_native_heap_trims_total";

    @Test
    void readsACounterAsTheSumOfItsLabelSetsAndZeroWhenAbsent() {
        String exposition = """
                # HELP scanstream_inference_model_swaps_total Versions swapped in
                # TYPE scanstream_inference_model_swaps_total counter
                scanstream_inference_model_swaps_total{model="covid-head"} 2.0
                scanstream_inference_model_swaps_total{model="other"} 1.0
                scanstream_inference_model_swaps_totally_else 9.0
                scanstream_inference_native_heap_trims_total 3.0
                """;

        assertThat(ServiceMetrics.sum(exposition, SWAPS)).isEqualTo(3.0);
        assertThat(ServiceMetrics.sum(exposition, TRIMS)).isEqualTo(3.0);
        assertThat(ServiceMetrics.sum(exposition, "scanstream_absent_total")).isZero();
        assertThat(ServiceMetrics.sum(exposition, SWAPS + "{model=\"other\"}")).as("one series by its labels")
                .isEqualTo(1.0);
    }
}
