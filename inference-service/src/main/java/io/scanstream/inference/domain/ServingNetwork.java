package io.scanstream.inference.domain;

import io.scanstream.model.backbone.FeatureExtractor;

import java.util.Optional;

/**
 * What one batch runs: a backbone and, once a version is in service, its head. Backbone and head change together,
 * between batches ({@link ModelVersions#forNextBatch}).
 */
public record ServingNetwork(FeatureExtractor backbone, Optional<ServingHead> head) {

    public String backboneId() {
        return backbone.backboneId();
    }
}
