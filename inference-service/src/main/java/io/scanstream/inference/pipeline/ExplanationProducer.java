package io.scanstream.inference.pipeline;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.BackboneLibrary;
import io.scanstream.inference.domain.ExplanationBackbones;
import io.scanstream.inference.domain.Explanations;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.metrics.ExplanationMetrics;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.DifferentiableBackbone;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.Optional;

/**
 * Grad-CAM explanations of the version in service ({@code POST /explanations}): wired to the networks in service,
 * the output guard's withdrawals and the meters; the backbones from the same sources as serving (the configured
 * bootstrap file, published backbones from the library), always on PyTorch.
 */
public class ExplanationProducer {

    @Produces
    @Singleton
    Explanations explanations(InferenceConfig config, ModelVersions versions, BackboneLibrary library,
                              InferencePipeline pipeline, ExplanationMetrics metrics) {
        return new Explanations(versions, version -> pipeline.guard().withdrawn(version),
                new PyTorchBackbones(config, library), metrics);
    }

    void close(@Disposes Explanations explanations) {
        explanations.close();
    }

    /** The version's backbone as the Java-built block on PyTorch, whatever engine serves it. */
    static final class PyTorchBackbones implements ExplanationBackbones {

        private final BackboneSpec bootstrap;
        private final long seed;
        private final BackboneLibrary library;

        PyTorchBackbones(InferenceConfig config, BackboneLibrary library) {
            this.bootstrap = ConfiguredBackbones.bootstrapSpec(config).withEngine(BackboneEngine.PYTORCH);
            this.seed = config.model().seed();
            this.library = library;
        }

        @Override
        public DifferentiableBackbone load(ModelMetadata version) throws IOException {
            BackboneRef ref = version.backbone();
            if (ref == null || ref.source() == BackboneRef.Source.BOOTSTRAP) {
                return FeatureExtractors.differentiable(bootstrap, seed);
            }
            if (!(library.status(ref.id()) instanceof BackboneLibrary.Ready ready)) {
                throw new IllegalStateException("published backbone " + ref.id() + " is not in the library ("
                        + library.status(ref.id()) + ")");
            }
            return FeatureExtractors.differentiable(new BackboneSpec(BackboneArchitecture.fromId(ref.architecture()),
                    Optional.of(ready.weights()), FeatureReadout.fromId(ref.readout()), BackboneEngine.PYTORCH), seed);
        }
    }
}
