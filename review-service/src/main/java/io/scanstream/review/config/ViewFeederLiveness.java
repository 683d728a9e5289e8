package io.scanstream.review.config;

import io.scanstream.review.messaging.ViewFeeder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the view is being fed: a feeder that ended would leave the worklist frozen, and no label would ever
 * show as recorded; a restart rebuilds the view from the topics.
 */
@Liveness
@ApplicationScoped
public class ViewFeederLiveness implements HealthCheck {

    private final ReviewBeans beans;

    public ViewFeederLiveness(ReviewBeans beans) {
        this.beans = beans;
    }

    @Override
    public HealthCheckResponse call() {
        ViewFeeder feeder = beans.feeder();
        var response = HealthCheckResponse.named("review-view");
        if (feeder == null) {
            return response.up().withData("state", "starting").build();
        }
        response.withData("records", feeder.recordsRead()).withData("invalid", feeder.invalidRecords());
        if (!feeder.alive()) {
            return response.down().withData("failure", String.valueOf(feeder.failure())).build();
        }
        return response.up().build();
    }
}
