package io.scanstream.inference.api;

import io.scanstream.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;

import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.pipeline.InferencePipeline;
import io.scanstream.model.backbone.FeatureExtractor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Duration;
import java.util.List;

/** {@code GET /model}: what this replica serves, for operators and the dashboard's info panel. */
@Path("/model")
@RolesAllowed({Roles.OPERATOR, Roles.CLINICIAN})
public class ModelResource {

    public record ModelInfo(String backbone, boolean pretrained, String device, int featureDim, String headVersion,
                            int maxBatchSize, Duration maxDelay, List<Integer> buckets, int queued) {
    }

    private final ModelVersions versions;
    private final InferencePipeline pipeline;

    public ModelResource(ModelVersions versions, InferencePipeline pipeline) {
        this.versions = versions;
        this.pipeline = pipeline;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelInfo info() {
        var policy = pipeline.batcher().policy();
        FeatureExtractor backbone = versions.currentBackbone();
        return new ModelInfo(backbone.backboneId(), backbone.pretrained(), backbone.device(), backbone.featureDim(),
                versions.servingVersion().orElse(null), policy.maxBatchSize(), policy.maxDelay(), policy.buckets(),
                pipeline.batcher().queued());
    }
}
