package io.scanstream.training.config;

import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.service.config.ModelSettings;

/**
 * The backbone the service is configured for, and the Kafka Streams application id derived from its id (the rule
 * of {@code FeatureExtractors.backboneId}: {@code <architecture>[+ms]:<first 12 hex of the weights file's sha256>},
 * or {@code <architecture>[+ms]:random}): a change of backbone starts a fresh training set instead of mixing
 * embeddings of two backbones; start-up checks that the loaded backbone reports the same id.
 */
public final class BackboneIdentity {

    private BackboneIdentity() {
    }

    public static BackboneSpec spec(ModelSettings model) {
        return new BackboneSpec(BackboneArchitecture.fromId(model.backbone()), model.backboneWeights(),
                FeatureReadout.fromId(model.backboneReadout()));
    }

    /** {@code <prefix>-<backbone id>} with the characters Kafka refuses in an application id replaced. */
    public static String streamsApplicationId(String prefix, String backboneId) {
        return prefix + "-" + backboneId.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
