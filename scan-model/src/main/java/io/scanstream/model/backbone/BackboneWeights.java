package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.DjlEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Weights from a file into an already initialised block of {@link Backbones#build}, whatever the file's
 * {@link WeightsFormat}. Values are copied into the block's own arrays rather than the arrays replaced, so that
 * a trainer that has already attached gradients to them keeps training those arrays. Also the one place that builds
 * a fresh block holding a file's weights ({@link #withBlock}), for work that needs only that block.
 */
public final class BackboneWeights {

    private BackboneWeights() {
    }

    /**
     * @throws IllegalArgumentException when the file is not weights of this architecture (count or shapes differ)
     */
    public static void copyInto(Block block, BackboneArchitecture architecture, Path weights, NDManager manager)
            throws IOException {
        switch (WeightsFormat.of(weights)) {
            case TORCHSCRIPT -> TorchScriptImport.copyInto(block, architecture, weights, manager);
            case DJL_PARAMETERS -> copyDjlParameters(block, architecture, weights, manager);
            case ONNX -> OnnxImport.copyInto(block, architecture, weights, manager);
        }
    }

    /**
     * The file's weights, of any {@link WeightsFormat}, as DJL parameters of the architecture's block: the bytes a
     * fine-tuning run publishes on {@code models.backbones} (e.g. ImageNet weights published as if fine-tuned, for a
     * benchmark of the published-backbone path; their values do not change its cost).
     */
    public static byte[] asDjlParameters(BackboneArchitecture architecture, Path weights) throws IOException {
        return withBlock(architecture, weights, BlockParameters::toBytes);
    }

    /** What is done with an architecture's block holding a file's weights. */
    @FunctionalInterface
    interface WithBlock<T> {
        T apply(Block block) throws IOException;
    }

    /** {@code work} on a fresh block of the architecture holding the file's weights; closed afterwards. */
    static <T> T withBlock(BackboneArchitecture architecture, Path weights, WithBlock<T> work) throws IOException {
        DjlEnvironment.configure();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = Backbones.build(architecture);
            block.initialize(manager, DataType.FLOAT32, BackboneBlock.CANONICAL_INPUT);
            copyInto(block, architecture, weights, manager);
            return work.apply(block);
        }
    }

    private static void copyDjlParameters(Block block, BackboneArchitecture architecture, Path weights,
                                          NDManager manager) throws IOException {
        Block loaded = Backbones.build(architecture);
        try (NDManager scratch = manager.newSubManager()) {
            Backbones.loadParameters(loaded, architecture, weights, scratch);
            List<Parameter> from = loaded.getParameters().values();
            List<Parameter> to = block.getParameters().values();
            if (from.size() != to.size()) {
                throw new IllegalArgumentException(weights + " holds " + from.size() + " parameters, "
                        + architecture.id() + " has " + to.size());
            }
            for (int i = 0; i < to.size(); i++) {
                NDArray value = from.get(i).getArray();
                if (!value.getShape().equals(to.get(i).getArray().getShape())) {
                    throw new IllegalArgumentException(weights + ": parameter " + i + " has shape " + value.getShape()
                            + ", " + architecture.id() + " needs " + to.get(i).getArray().getShape());
                }
                to.get(i).getArray().set(value.toFloatArray());
            }
        }
    }
}
