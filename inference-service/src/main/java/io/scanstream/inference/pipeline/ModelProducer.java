package io.scanstream.inference.pipeline;

import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.metrics.ModelVersionMetrics;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The backbone and the head versions: one of each per replica, closed on shutdown. */
public class ModelProducer {

    @Produces
    @Singleton
    FeatureExtractor backbone(InferenceConfig config) {
        // DJL reads these only from system properties or the environment, before the engine first loads.
        DjlEnvironment.ensureOffline();
        BackboneArchitecture architecture = BackboneArchitecture.fromId(config.model().backbone());
        BackboneSpec spec = new BackboneSpec(architecture, config.model().backboneWeights(),
                FeatureReadout.fromId(config.model().backboneReadout()),
                BackboneEngine.fromId(config.model().backboneEngine()));
        try {
            // FeatureExtractors logs the load with its engine, loudly when there are no weights
            // (inference.model.backbone-weights); inference.model.backbone-engine picks ONNX Runtime or PyTorch.
            return FeatureExtractors.load(spec, config.model().seed());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load backbone " + spec, e);
        }
    }

    void closeBackbone(@Disposes FeatureExtractor extractor) {
        extractor.close();
    }

    @Produces
    @Singleton
    ModelVersions versions(FeatureExtractor backbone, InferenceConfig config, ModelVersionMetrics metrics) {
        return new ModelVersions(config.model().name(), backbone.backboneId(), backbone.featureDim(), metrics);
    }

    void closeVersions(@Disposes ModelVersions versions) {
        versions.close();
    }
}
