package io.scanstream.training.domain;

import io.scanstream.model.backbone.BackboneArchitecture;

/**
 * The configured backbone as training uses it: its id (what the training set accepts and what published versions
 * carry), its feature width, and one preprocessed scan in, its feature vector out (for labelled scans that have no
 * embedding of this backbone yet).
 */
public interface Backbone extends Embedder {

    String id();

    int featureDim();

    BackboneArchitecture architecture();

    /** false: a seeded random initialisation (development only). */
    boolean pretrained();
}
