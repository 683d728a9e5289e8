package io.scanstream.inference.pipeline;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.BackboneLoader;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Backbones as this replica is configured: the bootstrap file ({@code inference.model.*}), published weights in the
 * architecture and readout their version names, and a warm-up at every batch shape the batcher uses (libtorch's
 * first call at a shape is slow; a network takes traffic only after it).
 */
final class ConfiguredBackbones implements BackboneLoader {

    private static final Logger LOG = Logger.getLogger(ConfiguredBackbones.class);

    private final BackboneSpec bootstrap;
    private final BackboneEngine engine;
    private final long seed;
    private final BatchingPolicy policy;
    private final boolean warmUp;
    private String bootstrapId;

    ConfiguredBackbones(InferenceConfig config, BatchingPolicy policy) {
        this.engine = BackboneEngine.fromId(config.model().backboneEngine());
        this.bootstrap = bootstrapSpec(config);
        this.seed = config.model().seed();
        this.policy = policy;
        this.warmUp = config.batching().warmUp();
    }

    /** The configured bootstrap backbone ({@code inference.model.*}). */
    static BackboneSpec bootstrapSpec(InferenceConfig config) {
        return new BackboneSpec(BackboneArchitecture.fromId(config.model().backbone()),
                config.model().backboneWeights(), FeatureReadout.fromId(config.model().backboneReadout()),
                BackboneEngine.fromId(config.model().backboneEngine()));
    }

    @Override
    public synchronized String bootstrapId() {
        if (bootstrapId == null) {
            try {
                bootstrapId = FeatureExtractors.backboneId(bootstrap);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read the bootstrap backbone " + bootstrap, e);
            }
        }
        return bootstrapId;
    }

    @Override
    public FeatureExtractor loadBootstrap() throws IOException {
        // FeatureExtractors logs the load with its engine, loudly when there are no weights
        // (inference.model.backbone-weights); inference.model.backbone-engine picks ONNX Runtime or PyTorch.
        return FeatureExtractors.load(bootstrap, seed);
    }

    @Override
    public FeatureExtractor load(BackboneManifest manifest, Path weights) throws IOException {
        // The configured engine for published (fine-tuned) backbones too: on ONNX Runtime the .params weights run as
        // the ONNX graph written from the Java-built block, under the same id; as int8 over the manifest's ranges
        // when training quantised them (PyTorch refuses those: the version is refused as UNLOADABLE).
        return FeatureExtractors.load(publishedSpec(manifest, weights, engine), seed);
    }

    /** A published backbone as its manifest describes it, on the given engine. */
    static BackboneSpec publishedSpec(BackboneManifest manifest, Path weights, BackboneEngine engine) {
        return new BackboneSpec(BackboneArchitecture.fromId(manifest.architecture()), Optional.of(weights),
                FeatureReadout.fromId(manifest.readout()), engine, manifest.servedQuantised());
    }

    @Override
    public void warmUp(FeatureExtractor backbone) {
        if (!warmUp) {
            return;
        }
        long start = System.nanoTime();
        int side = ScanPreprocessor.MODEL_INPUT_SIZE;
        GreyImage blank = new GreyImage(side, side, new byte[side * side]);
        for (int bucket : policy.buckets()) {
            backbone.embed(List.of(blank), bucket);
        }
        LOG.infof("inference.warmed-up backbone=%s buckets=%s took=%dms", backbone.backboneId(), policy.buckets(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
