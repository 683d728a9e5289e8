package io.scanstream.training.config;

import io.scanstream.model.backbone.BackboneArchitecture;

import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The backbone id the service expects, computed from configuration alone (before any model loads), by the rule
 * of {@code FeatureExtractors}: {@code <architecture>:<first 12 hex of the weights file's sha256>}, or
 * {@code <architecture>:random}. The Kafka Streams application id is derived from it, so that a change of
 * backbone starts a fresh training set instead of mixing embeddings of two backbones; start-up checks that the
 * loaded backbone reports the same id.
 */
public final class BackboneIdentity {

    private BackboneIdentity() {
    }

    public static String of(BackboneArchitecture architecture, Optional<Path> weights) throws IOException {
        return FeatureExtractors.backboneId(new BackboneSpec(architecture, weights));
    }

    /** {@code <prefix>-<backbone id>} with the characters Kafka refuses in an application id replaced. */
    public static String streamsApplicationId(String prefix, String backboneId) {
        return prefix + "-" + backboneId.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
