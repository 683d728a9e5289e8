package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.model.backbone.FeatureExtractor;

import java.io.IOException;
import java.nio.file.Path;

/** Loads backbones for the networks inference serves: the configured bootstrap file, or published weights. */
public interface BackboneLoader {

    /** The configured bootstrap backbone's id, by the backbone-id rule. */
    String bootstrapId();

    FeatureExtractor loadBootstrap() throws IOException;

    /**
     * Published weights, assembled and verified ({@link BackboneLibrary}), as their manifest describes them: its
     * architecture and readout, int8 over its ranges when it carries a quantisation.
     */
    FeatureExtractor load(BackboneManifest manifest, Path weights) throws IOException;

    /** One forward per batch shape the batcher uses, before the backbone takes traffic. */
    void warmUp(FeatureExtractor backbone);
}
