package io.scanstream.training.config;

import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.service.config.ModelSettings;

/**
 * The bootstrap backbone the service is configured with ({@code training.model.*}): served until a version names a
 * published backbone. Its id follows the rule of {@code FeatureExtractors.backboneId}.
 */
public final class BackboneIdentity {

    private BackboneIdentity() {
    }

    public static BackboneSpec spec(ModelSettings model) {
        return new BackboneSpec(BackboneArchitecture.fromId(model.backbone()), model.backboneWeights(),
                FeatureReadout.fromId(model.backboneReadout()));
    }
}
