package io.scanstream.model.backbone;

import io.scanstream.core.artifact.Quantization;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which backbone to run, where its weights are, which activations become features and which engine runs it: a
 * TorchScript file ({@code .pt}, {@code .torchscript}), DJL parameters ({@code .params}) or an ONNX graph
 * ({@code .onnx}); no weights means a seeded random initialisation (for development and tests only). The engine is
 * not part of the backbone id ({@link FeatureExtractors#backboneId(BackboneSpec)}); a quantisation is (the weights
 * served as int8: {@link FeatureExtractors#load}).
 */
public record BackboneSpec(BackboneArchitecture architecture, Optional<Path> weights, FeatureReadout readout,
                           BackboneEngine engine, Optional<Quantization> quantization) {

    public BackboneSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(readout, "readout");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(quantization, "quantization");
        if (quantization.isPresent() && weights.isEmpty()) {
            throw new IllegalArgumentException("a quantised backbone needs the float weights it was quantised from");
        }
    }

    /** The weights served as they are. */
    public BackboneSpec(BackboneArchitecture architecture, Optional<Path> weights, FeatureReadout readout,
                        BackboneEngine engine) {
        this(architecture, weights, readout, engine, Optional.empty());
    }

    /** The engine chosen by the weights file ({@link BackboneEngine#AUTO}). */
    public BackboneSpec(BackboneArchitecture architecture, Optional<Path> weights, FeatureReadout readout) {
        this(architecture, weights, readout, BackboneEngine.AUTO);
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
        return new BackboneSpec(architecture, weights, newReadout, engine, quantization);
    }

    public BackboneSpec withEngine(BackboneEngine newEngine) {
        return new BackboneSpec(architecture, weights, readout, newEngine, quantization);
    }

    /** The same weights served quantised ({@link Quantization}, from a manifest or {@link OnnxExport#calibrate}). */
    public BackboneSpec withQuantization(Optional<Quantization> newQuantization) {
        return new BackboneSpec(architecture, weights, readout, engine, newQuantization);
    }

    /**
     * The engine that will run this backbone: {@link BackboneEngine#AUTO} resolved by the weights file, or ONNX
     * Runtime for a quantised backbone (its int8 kernels).
     */
    public BackboneEngine resolvedEngine() {
        if (quantization.isPresent() && engine == BackboneEngine.AUTO) {
            return BackboneEngine.ONNX_RUNTIME;
        }
        return engine.resolve(weights.map(WeightsFormat::of));
    }

    public int featureDim() {
        return readout.featureDim(architecture);
    }
}
