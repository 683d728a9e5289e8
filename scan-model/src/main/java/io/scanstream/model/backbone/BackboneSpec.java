package io.scanstream.model.backbone;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which backbone to run and where its weights are: a TorchScript file ({@code .pt}, {@code .torchscript}) or DJL
 * parameters ({@code .params}); no weights means a seeded random initialisation (for development and tests only).
 */
public record BackboneSpec(BackboneArchitecture architecture, Optional<Path> weights) {

    public BackboneSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(weights, "weights");
    }

    public static BackboneSpec of(BackboneArchitecture architecture, Path weights) {
        return new BackboneSpec(architecture, Optional.of(weights));
    }

    public static BackboneSpec randomlyInitialised(BackboneArchitecture architecture) {
        return new BackboneSpec(architecture, Optional.empty());
    }
}
