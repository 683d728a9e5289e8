package io.scanstream.model.head;

import ai.djl.Model;
import ai.djl.nn.Block;
import io.scanstream.core.artifact.HeadArchitecture;

/**
 * Head weights that tests make with the project's own head blocks: seeded initial weights (they load, every output
 * is finite), or poisoned ones (the right shapes, so they load, but every parameter NaN, so every output is NaN).
 * Shared through scan-model's test jar with inference's tests and the fault suite.
 */
public final class TestHeadWeights {

    private TestHeadWeights() {
    }

    public static byte[] seeded(HeadArchitecture architecture, long seed) {
        return weights(architecture, seed, false);
    }

    /** A poison model's head: NaN times anything is NaN, so no seed is needed. */
    public static byte[] nan(HeadArchitecture architecture) {
        return weights(architecture, 1, true);
    }

    private static byte[] weights(HeadArchitecture architecture, long seed, boolean nan) {
        try (Model model = HeadBlocks.newModel(architecture)) {
            Block block = model.getBlock();
            HeadBlocks.initialise(block, architecture, model.getNDManager(), seed);
            if (nan) {
                block.getParameters().forEach(p -> p.getValue().getArray().muli(Float.NaN));
            }
            return HeadBlocks.weightsBytes(block);
        }
    }
}
