package io.scanstream.inference.api;

import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.messaging.InferenceLoop;
import io.scanstream.inference.pipeline.InferencePipeline;
import io.scanstream.model.backbone.FeatureExtractor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the model topics are replayed to the ends they had at start (so the version in service is the
 * newest valid one), the backbone is loaded and the loop runs (broker reachability is checked separately). Details say
 * which backbone (and whether it is only randomly initialised) and which head version serves, or "no head yet".
 * Liveness fails when the loop has died (e.g. fenced by a zombie with its transactional id, or stopped because the
 * batcher died) or the batcher's worker thread has died: the pod is restarted and re-reads what was not committed.
 */
@ApplicationScoped
public class InferenceHealth {

    private final InferencePipeline pipeline;
    private final ModelVersions versions;

    public InferenceHealth(InferencePipeline pipeline, ModelVersions versions) {
        this.pipeline = pipeline;
        this.versions = versions;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            InferenceLoop loop = pipeline.loop();
            FeatureExtractor backbone = versions.currentBackbone();
            InferenceLoop.State state = loop == null ? InferenceLoop.State.STARTING : loop.state();
            boolean replayed = pipeline.replay().complete();
            return HealthCheckResponse.named("inference pipeline")
                    .status(replayed && state == InferenceLoop.State.RUNNING)
                    .withData("loop", state.name())
                    .withData("models", replayed ? "replayed to the ends taken at start"
                            : "replaying: " + pipeline.replay().remaining())
                    .withData("backbone", backbone.backboneId())
                    .withData("pretrained", backbone.pretrained()
                            ? "yes" : "NO: random initialisation, configure inference.model.backbone-weights")
                    .withData("device", backbone.device())
                    .withData("head", versions.servingVersion().orElse("no head yet: predictions are UNDETERMINED"))
                    .withData("withdrawn", withdrawn())
                    .withData("lastRefused", versions.lastRefusal().map(r -> r.version() + ": " + r.reason() + " ("
                            + r.detail() + ")").orElse("none"))
                    .build();
        };
    }

    private String withdrawn() {
        var versions = pipeline.guard().withdrawnVersions();
        return versions.isEmpty() ? "none" : String.join(",", versions)
                + " (non-finite outputs; not served again; the last good version replaces it)";
    }

    @Produces
    @Liveness
    HealthCheck alive() {
        return () -> {
            InferenceLoop loop = pipeline.loop();
            boolean failed = loop != null && loop.state() == InferenceLoop.State.FAILED;
            Throwable batcherDeath = pipeline.batcher() == null ? null : pipeline.batcher().death();
            var response = HealthCheckResponse.named("inference loop").status(!failed && batcherDeath == null);
            if (failed) {
                response.withData("failure", loop.failure());
            }
            if (batcherDeath != null) {
                response.withData("batcher", "worker thread died: " + batcherDeath);
            }
            return response.build();
        };
    }
}
