package io.scanstream.learning.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.scanstream.model.BlockByBlock;

/**
 * Backbone then head, trained as one network. The backbone runs in training mode only when its batch-norm
 * statistics are to be learnt; otherwise it runs in inference mode (statistics fixed) while gradients still flow
 * to every weight, batch-norm scale and shift included. The backbone runs {@link BlockByBlock}, so that a training
 * step holds what the backward pass needs, not every array of the forward pass.
 */
final class FullNetworkBlock extends AbstractBlock {

    private final SequentialBlock backbone;
    private final Block head;
    private final boolean batchStatistics;

    FullNetworkBlock(SequentialBlock backbone, Block head, boolean batchStatistics) {
        super((byte) 1);
        this.backbone = addChildBlock("backbone", backbone);
        this.head = addChildBlock("head", head);
        this.batchStatistics = batchStatistics;
    }

    Block backbone() {
        return backbone;
    }

    Block head() {
        return head;
    }

    /** Features only, inference mode: for the head's standardisation statistics. */
    NDList features(ParameterStore parameterStore, NDList inputs) {
        return BlockByBlock.forward(backbone, parameterStore, inputs, false);
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList features = BlockByBlock.forward(backbone, parameterStore, inputs, training && batchStatistics);
        return head.forward(parameterStore, features, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(backbone.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, backbone.getOutputShapes(inputShapes));
    }
}
