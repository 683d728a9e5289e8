package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.model.backbone.FeatureExtractor;

import java.io.IOException;
import java.nio.file.Path;

/** Loads backbones for the networks inference serves: the configured bootstrap file, or published weights. */
public interface BackboneLoader {

    /** The configured bootstrap backbone's id, by the backbone-id rule. */
    String bootstrapId();

    FeatureExtractor loadBootstrap() throws IOException;

    /** Published weights, assembled and verified ({@link BackboneLibrary}), as the reference's architecture. */
    FeatureExtractor load(BackboneRef ref, Path weights) throws IOException;

    /** One forward per batch shape the batcher uses, before the backbone takes traffic. */
    void warmUp(FeatureExtractor backbone);
}
