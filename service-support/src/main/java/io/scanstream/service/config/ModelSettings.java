package io.scanstream.service.config;

import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The model settings inference and training must agree on — same backbone, weights file and seed give the same
 * backbone id, and a head is only served on the backbone it was trained on. One definition, so the defaults cannot
 * drift apart; each service's config mapping nests it under its own prefix ({@code inference.model.*},
 * {@code training.model.*}).
 */
public interface ModelSettings {

    /** The architecture when none is configured; also read before config mappings exist (the Streams id). */
    String DEFAULT_BACKBONE = "mobilenet_v2";

    /** The readout when none is configured (scan-model's {@code FeatureReadout.FINAL}). */
    String DEFAULT_READOUT = "final";

    /** {@code mobilenet_v2}, {@code resnet34}, {@code vgg16} or {@code vgg19}. */
    @WithDefault(DEFAULT_BACKBONE)
    String backbone();

    /** The engine when none is configured (scan-model's {@code BackboneEngine.AUTO}: by the weights file). */
    String DEFAULT_ENGINE = "auto";

    /**
     * TorchScript ({@code .pt}), DJL parameters ({@code .params}) or ONNX ({@code .onnx}); absent = seeded random
     * init (loudly). The backbone id names the weights, not the file: the same weights in any format share it.
     */
    Optional<Path> backboneWeights();

    /**
     * Which engine runs the backbone: {@code auto} (ONNX Runtime for an {@code .onnx} file, PyTorch otherwise),
     * {@code onnxruntime} (any weights on ONNX Runtime, CPU: the fast path; other formats are converted to an ONNX
     * graph in memory at start-up) or {@code pytorch} (libtorch, CPU or CUDA; an {@code .onnx} file is imported).
     * Not part of the backbone id: both engines give the same features. Read by inference; training follows the
     * weights file ({@code auto}).
     */
    @WithDefault(DEFAULT_ENGINE)
    String backboneEngine();

    /**
     * Which activations become features: {@code final} (the backbone's pooled output) or {@code multi-scale} (every
     * stage from 1/8 resolution on, pooled and concatenated; a better frozen-backbone classifier on CT, see
     * docs/training.md). Part of the backbone id, so inference and training must agree.
     */
    @WithDefault(DEFAULT_READOUT)
    String backboneReadout();

    /** Seed of the random initialisation when no weights are given. */
    @WithDefault("42")
    long seed();

    /** The model name (keys on models.published are {@code <model name>/<version>}). */
    @WithDefault("covid-head")
    String name();
}
