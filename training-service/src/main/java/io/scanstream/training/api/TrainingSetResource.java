package io.scanstream.training.api;

import io.scanstream.service.security.Roles;
import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.orchestration.TrainingCoordinator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Duration;

/** {@code GET /training/set}: the training set's size and balance, the backbone runs train on, the triggers' counts. */
@Path("/training/set")
@RolesAllowed({Roles.OPERATOR, Roles.CLINICIAN})
@Produces(MediaType.APPLICATION_JSON)
public class TrainingSetResource {

    /**
     * @param backbone           the backbone of the version in service, which runs train on
     * @param labelsSinceLastRun new or changed labels since the last run (a fine-tuning run trains a head too)
     * @param labelsSinceLastFineTune the same since the last fine-tuning run
     */
    public record TrainingSetInfo(Backbones.Info backbone, TrainingSet.Summary set, long labelsSinceLastRun,
                                  long labelsSinceLastFineTune) {
    }

    private final TrainingSet view;
    private final Backbones backbones;
    private final TrainingCoordinator coordinator;

    public TrainingSetResource(TrainingSet view, Backbones backbones, TrainingCoordinator coordinator) {
        this.view = view;
        this.backbones = backbones;
        this.coordinator = coordinator;
    }

    @GET
    public TrainingSetInfo info() {
        return new TrainingSetInfo(backbones.info(), view.summary(Duration.ofSeconds(10)),
                coordinator.labelsSince(TrainingMode.HEAD), coordinator.labelsSince(TrainingMode.FULL_NETWORK));
    }
}
