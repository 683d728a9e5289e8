package io.scanstream.training.api;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.service.security.Roles;
import io.scanstream.training.domain.ModelHistory;
import io.scanstream.training.orchestration.ModelRollbacks;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * The served model's versions and rollback (the review service calls exactly this):
 * {@code GET /models} lists every version on models.published, newest first, with {@code serving} true for the
 * one version whose weights serve now and {@code rollbackOf} naming what a rollback record restored;
 * {@code POST /models/rollback} {@code {"version": ...}} publishes a rollback record (202 with its version), 404 for
 * an unknown version, 409 when it cannot be served again (in service already, its backbone retired or no longer
 * configured), 400 without a version. Reading: operators and clinicians; rolling back: operators.
 */
@Path("/models")
@RolesAllowed({Roles.OPERATOR, Roles.CLINICIAN})
@Produces(MediaType.APPLICATION_JSON)
public class ModelHistoryResource {

    /** One version as listed. */
    public record VersionView(String version, OffsetDateTime createdAt, String backboneId, String mode,
                              ModelMetrics metrics, String runId, boolean serving, String rollbackOf) {
    }

    public record RollbackRequest(String version) {
    }

    public record RollbackAccepted(String version, String rollbackOf) {
    }

    private final ModelRollbacks rollbacks;

    public ModelHistoryResource(ModelRollbacks rollbacks) {
        this.rollbacks = rollbacks;
    }

    @GET
    public List<VersionView> list() {
        ModelHistory history = rollbacks.history();
        return history.newestFirst().stream().map(a -> view(history, a)).toList();
    }

    private static VersionView view(ModelHistory history, ModelArtifact artifact) {
        ModelMetadata m = artifact.metadata();
        return new VersionView(m.version(), m.createdAt(), m.backboneId(), history.mode(artifact).name(),
                m.metrics(), m.trainingRunId(), history.serving(artifact), m.rollbackOf());
    }

    @POST
    @Path("rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Response rollback(RollbackRequest request) {
        if (request == null || request.version() == null || request.version().isBlank()) {
            return error(Response.Status.BAD_REQUEST, "the body must be {\"version\": \"<a published version>\"}");
        }
        ModelRollbacks.Outcome outcome = rollbacks.rollback(request.version());
        if (outcome instanceof ModelRollbacks.RolledBack r) {
            return Response.accepted(new RollbackAccepted(r.version(), r.rollbackOf())).build();
        }
        if (outcome instanceof ModelRollbacks.Unknown u) {
            return error(Response.Status.NOT_FOUND, u.detail());
        }
        return error(Response.Status.CONFLICT, ((ModelRollbacks.NotRestorable) outcome).detail());
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("error", message)).build();
    }
}
