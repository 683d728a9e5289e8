package io.scanstream.model.backbone;

import java.util.Arrays;
import java.util.Optional;

/**
 * Which engine runs a backbone. Not part of the backbone id: the id names the weights, and both engines compute
 * the same features from them (within float rounding; scan-model's equivalence tests bound it).
 * <ul>
 *   <li>{@link #ONNX_RUNTIME}: ONNX Runtime on the CPU — an {@code .onnx} file as it is, any other weights (and the
 *   multi-scale readout) through the graph {@link OnnxExport} writes from the Java-built block. About 4x
 *   PyTorch's throughput on CPU (docs/benchmarks.md).</li>
 *   <li>{@link #PYTORCH}: DJL's PyTorch engine (libtorch), CPU or CUDA — training, Grad-CAM (autograd) and GPUs;
 *   an {@code .onnx} file is imported into the Java-built block.</li>
 *   <li>{@link #AUTO}: by the weights file — ONNX Runtime for {@code .onnx}, PyTorch otherwise.</li>
 * </ul>
 */
public enum BackboneEngine {
    AUTO("auto"),
    PYTORCH("pytorch"),
    ONNX_RUNTIME("onnxruntime");

    private final String id;

    BackboneEngine(String id) {
        this.id = id;
    }

    /** The configuration spelling ({@code auto}, {@code pytorch}, {@code onnxruntime}). */
    public String id() {
        return id;
    }

    /** The engine that runs weights of this format (none: a random initialisation); never {@link #AUTO}. */
    public BackboneEngine resolve(Optional<WeightsFormat> format) {
        if (this != AUTO) {
            return this;
        }
        return format.filter(f -> f == WeightsFormat.ONNX).isPresent() ? ONNX_RUNTIME : PYTORCH;
    }

    /** Accepts the id ({@code onnxruntime}) or the constant name ({@code ONNX_RUNTIME}), case-insensitively. */
    public static BackboneEngine fromId(String name) {
        for (BackboneEngine engine : values()) {
            if (engine.id.equalsIgnoreCase(name) || engine.name().equalsIgnoreCase(name)) {
                return engine;
            }
        }
        throw new IllegalArgumentException("unknown backbone engine '" + name + "', expected one of "
                + Arrays.stream(values()).map(BackboneEngine::id).toList());
    }
}
