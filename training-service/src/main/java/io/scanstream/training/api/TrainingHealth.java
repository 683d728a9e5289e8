package io.scanstream.training.api;

import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.orchestration.TrainingCoordinator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the training set is queryable (Kafka Streams RUNNING), so a run can start; details say which backbone
 * (and whether it is only randomly initialised) and which run is active. Broker reachability and the topics are
 * checked separately (service-support, Quarkus' Kafka Streams checks).
 */
@ApplicationScoped
public class TrainingHealth {

    private final TrainingSet view;
    private final Backbones backbones;
    private final TrainingCoordinator coordinator;

    private final String applicationId;

    public TrainingHealth(TrainingSet view, Backbones backbones, TrainingCoordinator coordinator,
                          @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        this.view = view;
        this.backbones = backbones;
        this.coordinator = coordinator;
        this.applicationId = applicationId;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            Backbones.Info backbone = backbones.info();
            return HealthCheckResponse.named("training set")
                    .status(view.ready())
                    .withData("streams", view.state())
                    .withData("backbone", backbone.id())
                    .withData("backboneSource", backbone.source())
                    .withData("streamsApplicationId", applicationId)
                    .withData("pretrained", backbone.pretrained()
                            ? "yes" : "NO: random initialisation, configure training.model.backbone-weights")
                    .withData("activeRun", coordinator.active().map(TrainingRun::id).orElse("none"))
                    .build();
        };
    }
}
