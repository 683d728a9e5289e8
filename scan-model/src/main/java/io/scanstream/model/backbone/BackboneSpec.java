package io.scanstream.model.backbone;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which backbone to run, where its weights are and which activations become features: a TorchScript file
 * ({@code .pt}, {@code .torchscript}) or DJL parameters ({@code .params}); no weights means a seeded random
 * initialisation (for development and tests only).
 */
public record BackboneSpec(BackboneArchitecture architecture, Optional<Path> weights, FeatureReadout readout) {

    public BackboneSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(readout, "readout");
    }

    /** The backbone's own output as features ({@link FeatureReadout#FINAL}). */
    public BackboneSpec(BackboneArchitecture architecture, Optional<Path> weights) {
        this(architecture, weights, FeatureReadout.FINAL);
    }

    public static BackboneSpec of(BackboneArchitecture architecture, Path weights) {
        return new BackboneSpec(architecture, Optional.of(weights));
    }

    public static BackboneSpec randomlyInitialised(BackboneArchitecture architecture) {
        return new BackboneSpec(architecture, Optional.empty());
    }

    public BackboneSpec withReadout(FeatureReadout newReadout) {
        return new BackboneSpec(architecture, weights, newReadout);
    }

    public int featureDim() {
        return readout.featureDim(architecture);
    }
}
