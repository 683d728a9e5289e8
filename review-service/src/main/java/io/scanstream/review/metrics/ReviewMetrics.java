package io.scanstream.review.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scanstream.review.domain.ReviewView;
import io.scanstream.service.security.Roles;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * The review service's meters: labels recorded per role of the person who gave them, time from prediction to
 * label, and the view's size and evictions.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class ReviewMetrics {

    private final MeterRegistry registry;

    public ReviewMetrics(MeterRegistry registry, ReviewView view) {
        this.registry = registry;
        Gauge.builder("scanstream_review_view_scans", view, ReviewView::size)
                .description("predicted scans in the review view").register(registry);
        Gauge.builder("scanstream_review_view_evicted", view, ReviewView::evicted)
                .description("predicted scans that fell out of the view's bound since start").register(registry);
        for (String role : new String[] {Roles.OPERATOR, Roles.CLINICIAN}) {
            labels(role);
        }
    }

    /** The role a label is counted under: operator when the person has it, else clinician. */
    public static String role(Set<String> roles) {
        return roles.contains(Roles.OPERATOR) ? Roles.OPERATOR : Roles.CLINICIAN;
    }

    public void labelRecorded(Set<String> roles, OffsetDateTime predictedAt, OffsetDateTime labelledAt) {
        String role = role(roles);
        labels(role).increment();
        if (predictedAt != null && !labelledAt.isBefore(predictedAt)) {
            Timer.builder("scanstream_review_time_to_label").description("from the prediction to the label")
                    .tag("role", role).register(registry).record(Duration.between(predictedAt, labelledAt));
        }
    }

    private Counter labels(String role) {
        return Counter.builder("scanstream_review_labels_recorded").description("labels published from the workstation")
                .tag("role", role).register(registry);
    }
}
