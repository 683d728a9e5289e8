package io.scanstream.training.config;


import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractors;

import java.io.IOException;

/**
 * The backbone id the service expects, computed from configuration alone (before any model loads), by the rule
 * of {@code FeatureExtractors}: {@code <architecture>[+ms]:<first 12 hex of the weights file's sha256>},
 * or {@code <architecture>[+ms]:random} ({@code +ms}: the multi-scale readout). The Kafka Streams application id is derived from it, so that a change of
 * backbone starts a fresh training set instead of mixing embeddings of two backbones; start-up checks that the
 * loaded backbone reports the same id.
 */
public final class BackboneIdentity {

    private BackboneIdentity() {
    }

    public static String of(BackboneSpec spec) throws IOException {
        return FeatureExtractors.backboneId(spec);
    }

    /** {@code <prefix>-<backbone id>} with the characters Kafka refuses in an application id replaced. */
    public static String streamsApplicationId(String prefix, String backboneId) {
        return prefix + "-" + backboneId.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
