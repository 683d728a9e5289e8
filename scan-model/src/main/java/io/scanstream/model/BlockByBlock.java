package io.scanstream.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;

/**
 * Forward passes that free each block's intermediate arrays as soon as the block has run, keeping only its output.
 * DJL keeps every array an operation makes until the manager it was made on closes, so a whole pass held all of them
 * at once: about 100 MB an image for MobileNetV2 at 224 px, frozen blocks included (docs/benchmarks.md, "Training's
 * peak"). Freeing them is safe in training too: libtorch's autograd keeps its own references to what the backward
 * pass needs.
 */
public final class BlockByBlock {

    private BlockByBlock() {
    }

    /** What {@link SequentialBlock} does, each child's intermediates freed once it has run. */
    public static NDList forward(SequentialBlock blocks, ParameterStore parameters, NDList inputs, boolean training) {
        NDList current = inputs;
        for (Block block : blocks.getChildren().values()) {
            current = step(block, parameters, current, training, current != inputs);
        }
        return current;
    }

    /**
     * One block's pass; its output lands on the manager its input was on.
     *
     * @param freeInput true: the input is freed with the block's intermediates (a previous step's output); false: it
     *                  stays the caller's
     */
    public static NDList step(Block block, ParameterStore parameters, NDList input, boolean training,
                              boolean freeInput) {
        NDManager owner = input.head().getManager();
        try (NDManager scratch = owner.newSubManager()) {
            // The block's operations create their arrays on their input's manager: for now, the scratch one.
            if (freeInput) {
                input.attach(scratch);
            } else {
                input.tempAttach(scratch);
            }
            NDList output = block.forward(parameters, input, training);
            output.attach(owner);
            return output;
        }
    }
}
