package io.scanstream.inference.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.domain.ModelVersions.RefusalReason;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The head versions' meters: {@code scanstream_inference_model_info{version,backbone}},
 * {@code _model_swaps_total}, {@code _model_refused_total{reason}}, {@code _model_age_seconds}.
 */
@ApplicationScoped
public class ModelVersionMetrics implements ModelVersions.Observer {

    private final Counter swaps;
    private final MultiGauge modelInfo;
    private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
    private volatile String backbone = "unknown";
    private volatile OffsetDateTime servingCreatedAt;

    public ModelVersionMetrics(MeterRegistry registry) {
        swaps = Counter.builder("scanstream.inference.model.swaps").description("Head versions swapped in")
                .register(registry);
        // Age of the head in service (NaN before the first): alerts on a model that stopped being refreshed.
        Gauge.builder("scanstream.inference.model.age", this, m -> m.servingCreatedAt == null ? Double.NaN
                        : Duration.between(m.servingCreatedAt, OffsetDateTime.now()).toSeconds())
                .baseUnit("seconds").description("Time since the serving head version was trained").register(registry);
        modelInfo = MultiGauge.builder("scanstream.inference.model.info")
                .description("The head version in service (value 1), tagged with version and backbone")
                .register(registry);
        for (RefusalReason reason : RefusalReason.values()) {
            if (reason != RefusalReason.OTHER_MODEL) { // another model's versions are not ours to count
                // present from the start, so dashboards and alerts see 0 rather than nothing
                refused.put(reason, Counter.builder("scanstream.inference.model.refused").tag("reason", reason.name())
                        .description("Published head versions refused (the serving version stays)")
                        .register(registry));
            }
        }
    }

    /** Before the first version: the backbone served, and "none". */
    public void bind(String backboneId) {
        this.backbone = backboneId;
        modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", "none", "backbone", backboneId), 0)), true);
    }

    @Override
    public void swapped(String from, String to, OffsetDateTime createdAt, String backboneId) {
        servingCreatedAt = createdAt;
        backbone = backboneId;
        swaps.increment();
        modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", to == null ? "none" : to, "backbone",
                backboneId), 1)), true);
    }

    @Override
    public void refused(RefusalReason reason) {
        Counter counter = refused.get(reason);
        if (counter != null) {
            counter.increment();
        }
    }
}
