package io.scanstream.model.head;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.SeededInitializer;

import java.util.ArrayList;
import java.util.List;

/**
 * The classification head as a DJL block (docs/training.md), for training with DJL's {@code Trainer} and for
 * {@link ClassificationHead} at inference: {@link FeatureStandardization}, then linear layers
 * {@code inputDim → hidden... → classes} with ReLU and dropout (training only) between them. Output: logits, class
 * 1 being COVID.
 */
public final class HeadBlocks {

    static final String ENGINE = "PyTorch";

    private HeadBlocks() {
    }

    /** A new, uninitialised head. */
    public static SequentialBlock build(HeadArchitecture architecture) {
        SequentialBlock head = new SequentialBlock().add(new FeatureStandardization());
        for (int width : architecture.hiddenWidths()) {
            head.add(Linear.builder().setUnits(width).build()).add(Activation.reluBlock());
            if (architecture.dropout() > 0) {
                head.add(Dropout.builder().optRate((float) architecture.dropout()).build());
            }
        }
        return head.add(Linear.builder().setUnits(architecture.classes()).build());
    }

    /**
     * A model holding a new head, for {@code model.newTrainer(config)} then {@code trainer.initialize(new Shape(batch,
     * inputDim))}, or {@link #initialise}. The caller owns and closes it.
     */
    public static Model newModel(HeadArchitecture architecture) {
        DjlEnvironment.configure();
        Model model = Model.newInstance("head-" + architecture.describe(), ENGINE);
        model.setBlock(build(architecture));
        return model;
    }

    /** Initialises a built head with seeded weights (He normal), zero biases and identity standardisation. */
    public static void initialise(Block head, HeadArchitecture architecture, NDManager manager, long seed) {
        head.setInitializer(new SeededInitializer(seed), Parameter.Type.WEIGHT);
        head.initialize(manager, DataType.FLOAT32, new Shape(1, architecture.inputDim()));
    }

    /** Stores the training features' per-feature statistics in an initialised head. */
    public static void setFeatureStandardization(Block head, float[] mean, float[] std) {
        standardization(head).set(mean, std);
    }

    /** The head's weights in DJL's parameter format: {@code weights.bin} of the model artifact. */
    public static byte[] weightsBytes(Block head) {
        return BlockParameters.toBytes(head);
    }

    /** The parameter shapes a head of this architecture has, in save order. */
    static List<Shape> parameterShapes(HeadArchitecture architecture) {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape(architecture.inputDim()));
        shapes.add(new Shape(architecture.inputDim()));
        long in = architecture.inputDim();
        List<Integer> outs = new ArrayList<>(architecture.hiddenWidths());
        outs.add(architecture.classes());
        for (long out : outs) {
            shapes.add(new Shape(out, in));
            shapes.add(new Shape(out));
            in = out;
        }
        return shapes;
    }

    private static FeatureStandardization standardization(Block head) {
        if (!head.getChildren().isEmpty()
                && head.getChildren().get(0).getValue() instanceof FeatureStandardization standardization) {
            return standardization;
        }
        throw new IllegalArgumentException("not a head built by HeadBlocks.build");
    }
}
