package io.scanstream.training.api;

import io.scanstream.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;

import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.orchestration.TrainingCoordinator;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Training runs: {@code POST /training/runs[?mode=HEAD|FULL_NETWORK]} starts one (202 with its status and
 * {@code Location}; 409 with the running run's id while another runs); {@code GET /training/runs} lists recent
 * runs, latest first; {@code GET /training/runs/{id}} is a run's progress (epoch, loss, accuracy) and outcome;
 * {@code GET /training/runs/{id}/report} its report JSON, {@code .../card} the model card of the version it trained,
 * and {@code .../report/{plot}.png} its plots (also for
 * runs of earlier process lifetimes, from the reports directory).
 */
@Path("/training/runs")
@RolesAllowed({Roles.OPERATOR, Roles.CLINICIAN})
@Produces(MediaType.APPLICATION_JSON)
public class TrainingRunResource {

    private final TrainingCoordinator coordinator;

    public TrainingRunResource(TrainingCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Starting a run costs up to two hours of CPU and blocks head runs: operators only. */
    @POST
    @RolesAllowed(Roles.OPERATOR)
    public Response start(@QueryParam("mode") @DefaultValue("HEAD") TrainingMode mode) {
        Optional<TrainingRun> run = coordinator.start(mode, RunTrigger.API);
        if (run.isEmpty()) {
            String running = coordinator.active().map(TrainingRun::id).orElse(null);
            return Response.status(Response.Status.CONFLICT)
                    .entity(Map.of("error", "a training run is in progress; one run at a time",
                            "activeRun", String.valueOf(running)))
                    .build();
        }
        return Response.accepted(run.get().status())
                .location(URI.create("/training/runs/" + run.get().id()))
                .build();
    }

    @GET
    public List<TrainingRun.Status> list() {
        return coordinator.recent().stream().map(TrainingRun::status).toList();
    }

    @GET
    @Path("{id}")
    public Response status(@PathParam("id") String id) {
        return coordinator.find(id).map(r -> Response.ok(r.status()).build())
                .orElseGet(() -> notFound("no run " + id));
    }

    @GET
    @Path("{id}/report")
    public Response report(@PathParam("id") String id) throws IOException {
        Optional<byte[]> report = coordinator.reports().read(id, ReportStore.REPORT_FILE);
        if (report.isPresent()) {
            return Response.ok(report.get(), MediaType.APPLICATION_JSON_TYPE).build();
        }
        return coordinator.find(id).isPresent() ? notFound("run " + id + " has no report yet")
                : notFound("no report for run " + id);
    }

    /** The model card of the version the run trained (published or gated out). */
    @GET
    @Path("{id}/card")
    public Response card(@PathParam("id") String id) throws IOException {
        return coordinator.reports().read(id, ReportStore.CARD_FILE)
                .map(bytes -> Response.ok(bytes, MediaType.APPLICATION_JSON_TYPE).build())
                .orElseGet(() -> notFound("no model card for run " + id + " (it trained no model, or is running)"));
    }

    @GET
    @Path("{id}/report/{file}")
    @Produces("image/png")
    public Response plot(@PathParam("id") String id, @PathParam("file") String file) throws IOException {
        if (!file.endsWith(".png")) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        return coordinator.reports().read(id, file).map(bytes -> Response.ok(bytes, "image/png").build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).build());
    }

    private static Response notFound(String message) {
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", message)).build();
    }
}
