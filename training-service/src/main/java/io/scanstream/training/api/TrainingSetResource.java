package io.scanstream.training.api;

import io.scanstream.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;

import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.orchestration.TrainingCoordinator;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Duration;

/** {@code GET /training/set}: the training set's size and balance, what waits to be joined, the backbone. */
@Path("/training/set")
@RolesAllowed({Roles.OPERATOR, Roles.CLINICIAN})
@Produces(MediaType.APPLICATION_JSON)
public class TrainingSetResource {

    public record TrainingSetInfo(String backbone, boolean pretrained, TrainingSet.Summary set,
                                  long labelsSinceLastRun) {
    }

    private final TrainingSet view;
    private final Backbone backbone;
    private final TrainingCoordinator coordinator;

    public TrainingSetResource(TrainingSet view, Backbone backbone, TrainingCoordinator coordinator) {
        this.view = view;
        this.backbone = backbone;
        this.coordinator = coordinator;
    }

    @GET
    public TrainingSetInfo info() {
        return new TrainingSetInfo(backbone.id(), backbone.pretrained(), view.summary(Duration.ofSeconds(10)),
                coordinator.labelsSinceLastRun());
    }
}
