package io.scanstream.training.domain;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.model.backbone.BackboneArchitecture;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * A backbone training uses: its id (what versions and embeddings carry), its feature width, how a version refers
 * to it, its weights (what fine-tuning starts from), and one preprocessed scan in, its feature vector out.
 */
public interface Backbone extends Embedder {

    String id();

    int featureDim();

    BackboneArchitecture architecture();

    /** false: a seeded random initialisation (development only). */
    boolean pretrained();

    /** How a version refers to it: the bootstrap file, or a backbone published on {@code models.backbones}. */
    BackboneRef reference();

    /** The weights file, when there is one (none for a random initialisation). */
    Optional<Path> weights();

    /** Lineage: the scans it was fine-tuned on, over all its ancestors (none for the bootstrap backbone). */
    ScanSet trainedOn();

    /** When fine-tuning produced it (none for the bootstrap backbone). */
    Optional<OffsetDateTime> createdAt();
}
