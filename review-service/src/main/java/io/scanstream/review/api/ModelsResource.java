package io.scanstream.review.api;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.scanstream.review.domain.ModelCatalogue;
import io.scanstream.review.domain.RemoteServiceException;
import io.scanstream.service.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The models page: versions with their metrics and intervals, which one serves, the runs' champion/challenger
 * decisions and plots; roll back (operator). What training and inference answer is shown as they said it; a
 * service that cannot be reached leaves its part of the page with the reason.
 */
@Path("/models")
@RolesAllowed({Roles.CLINICIAN, Roles.OPERATOR})
@Blocking
public class ModelsResource {

    private static final Logger LOG = Logger.getLogger(ModelsResource.class);

    private final ModelCatalogue catalogue;
    private final Template models;
    private final SecurityIdentity identity;

    public ModelsResource(ModelCatalogue catalogue, Template models, SecurityIdentity identity) {
        this.catalogue = catalogue;
        this.models = models;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("message") String message) {
        Caller caller = Caller.of(identity);
        Optional<String> token = caller.accessToken();
        List<String> problems = new ArrayList<>();
        List<ModelCatalogue.ModelRecord> versions = List.of();
        List<ModelCatalogue.RunSummary> runs = List.of();
        String served = null;
        try {
            versions = catalogue.models(token);
        } catch (RemoteServiceException e) {
            problems.add("Versions: " + e.getMessage());
        }
        try {
            served = catalogue.servedVersion(token).orElse(null);
        } catch (RemoteServiceException e) {
            problems.add("Serving version: " + e.getMessage());
        }
        try {
            runs = catalogue.runs(token);
        } catch (RemoteServiceException e) {
            problems.add("Training runs: " + e.getMessage());
        }
        return models.data("versions", versions).data("served", served).data("runs", runs)
                .data("problems", problems).data("message", message).data("user", caller)
                .data("operator", caller.operator());
    }

    /** Only operators roll back; training-service checks the role again with the passed token. */
    @POST
    @Path("rollback")
    @RolesAllowed(Roles.OPERATOR)
    public Response rollback(@FormParam("version") String version) {
        Caller caller = Caller.of(identity);
        String message;
        try {
            ModelCatalogue.RollbackOutcome outcome = catalogue.rollback(version, caller.accessToken());
            if (outcome instanceof ModelCatalogue.RolledBack r) {
                message = "Rolled back to " + r.rollbackOf() + " as new version " + r.version()
                        + "; inference serves it once it has loaded it.";
            } else if (outcome instanceof ModelCatalogue.UnknownVersion u) {
                message = "Not rolled back: " + u.message();
            } else if (outcome instanceof ModelCatalogue.NotRestorable n) {
                message = "Not rolled back: " + n.message();
            } else {
                message = "Not rolled back: " + ((ModelCatalogue.Forbidden) outcome).message();
            }
        } catch (RemoteServiceException e) {
            message = "Not rolled back: " + e.getMessage();
        }
        LOG.infof("rollback requested version=%s by=%s result=%s", version, caller.name(), message);
        return Response.seeOther(URI.create("/models?message=" + ScanResource.encode(message))).build();
    }

    @GET
    @Path("runs/{run}/{file}")
    @Produces("image/png")
    public Response plot(@PathParam("run") String run, @PathParam("file") String file) {
        try {
            return catalogue.plot(run, file, Caller.of(identity).accessToken())
                    .map(bytes -> Response.ok(bytes, "image/png").build())
                    .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).build());
        } catch (RemoteServiceException e) {
            return Response.status(Response.Status.BAD_GATEWAY).type(MediaType.TEXT_PLAIN_TYPE).entity(e.getMessage()).build();
        }
    }
}
