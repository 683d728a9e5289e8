package io.scanstream.training.api;

import io.scanstream.training.config.TrainingBackbone;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.streams.TrainingSetView;
import io.scanstream.training.training.TrainingCoordinator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.KafkaStreams;
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

    private final TrainingSetView view;
    private final TrainingBackbone backbone;
    private final TrainingCoordinator coordinator;

    private final String applicationId;

    public TrainingHealth(TrainingSetView view, TrainingBackbone backbone, TrainingCoordinator coordinator,
                          @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        this.view = view;
        this.backbone = backbone;
        this.coordinator = coordinator;
        this.applicationId = applicationId;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            KafkaStreams.State state = view.state();
            return HealthCheckResponse.named("training set")
                    .status(state == KafkaStreams.State.RUNNING)
                    .withData("streams", state.name())
                    .withData("backbone", backbone.backboneId())
                    .withData("streamsApplicationId", applicationId)
                    .withData("pretrained", backbone.pretrained()
                            ? "yes" : "NO: random initialisation, configure training.model.backbone-weights")
                    .withData("activeRun", coordinator.active().map(TrainingRun::id).orElse("none"))
                    .build();
        };
    }
}
