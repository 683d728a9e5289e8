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
 * Readiness: the backbone is loaded and the loop runs (broker reachability is checked separately). Details say
 * which backbone (and whether it is only randomly initialised) and which head version serves, or "no head yet".
 * Liveness fails only when the loop has died (e.g. fenced by a zombie with its transactional id).
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
            return HealthCheckResponse.named("inference pipeline")
                    .status(state == InferenceLoop.State.RUNNING)
                    .withData("loop", state.name())
                    .withData("backbone", backbone.backboneId())
                    .withData("pretrained", backbone.pretrained()
                            ? "yes" : "NO: random initialisation, configure inference.model.backbone-weights")
                    .withData("device", backbone.device())
                    .withData("head", versions.servingVersion().orElse("no head yet: predictions are UNDETERMINED"))
                    .build();
        };
    }

    @Produces
    @Liveness
    HealthCheck alive() {
        return () -> {
            InferenceLoop loop = pipeline.loop();
            boolean failed = loop != null && loop.state() == InferenceLoop.State.FAILED;
            var response = HealthCheckResponse.named("inference loop").status(!failed);
            if (failed) {
                response.withData("failure", loop.failure());
            }
            return response.build();
        };
    }
}
