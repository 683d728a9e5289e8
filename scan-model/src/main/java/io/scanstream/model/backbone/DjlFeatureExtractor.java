package io.scanstream.model.backbone;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.BlockByBlock;

import java.util.List;

/**
 * The PyTorch {@link FeatureExtractor}: a DJL model (a TorchScript module or a Java-built block with its parameters)
 * run in inference mode, read out as its {@link FeatureReadout} says (the multi-scale readout walks the Java-built
 * block's children and pools the stage outputs). Owns the model; each batch's arrays live in a sub-manager closed
 * before embed returns.
 */
final class DjlFeatureExtractor implements FeatureExtractor {

    private final Model model;
    private final String backboneId;
    private final boolean pretrained;
    private final List<Backbones.StageOutput> taps;
    private final int featureDim;

    DjlFeatureExtractor(Model model, BackboneSpec spec, String backboneId, boolean pretrained) {
        this(model, spec.readout().taps(spec.architecture()), spec.featureDim(), backboneId, pretrained);
        if (!taps.isEmpty() && !(model.getBlock() instanceof SequentialBlock)) {
            throw new IllegalArgumentException("the " + spec.readout().id() + " readout needs the Java-built "
                    + spec.architecture().id() + " block, not " + model.getBlock().getClass().getSimpleName());
        }
    }

    private DjlFeatureExtractor(Model model, List<Backbones.StageOutput> taps, int featureDim, String backboneId,
                                boolean pretrained) {
        this.model = model;
        this.taps = taps;
        this.featureDim = featureDim;
        this.backboneId = backboneId;
        this.pretrained = pretrained;
    }

    /** The same model under another id (known only once the weights are in the block); this one must not be used. */
    DjlFeatureExtractor withBackboneId(String id) {
        return new DjlFeatureExtractor(model, taps, featureDim, id, pretrained);
    }

    /** The network: a TorchScript module's block, or the Java-built block of {@link Backbones}. */
    Block block() {
        return model.getBlock();
    }

    /** The model's manager (for callers in this package that run the block themselves). */
    NDManager manager() {
        return model.getNDManager();
    }

    @Override
    public String backboneId() {
        return backboneId;
    }

    @Override
    public boolean pretrained() {
        return pretrained;
    }

    @Override
    public int featureDim() {
        return featureDim;
    }

    @Override
    public String engine() {
        return "pytorch";
    }

    @Override
    public String device() {
        return model.getNDManager().getDevice().isGpu() ? Device.Type.GPU : Device.Type.CPU;
    }

    @Override
    public float[][] embed(List<GreyImage> images, int padTo) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDArray input = InputTensors.normalisedBatch(batch, images, padTo);
            float[] flat = forward(batch, input).toFloatArray();
            int dim = featureDim();
            float[][] rows = new float[images.size()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new float[dim];
                System.arraycopy(flat, i * dim, rows[i], 0, dim);
            }
            return rows;
        }
    }

    /** Runs the backbone, checking that it yields {@code [N, featureDim]}: a wrong file must not pass silently. */
    NDArray forward(NDManager batch, NDArray input) {
        ParameterStore parameters = new ParameterStore(batch, false);
        NDArray output = taps.isEmpty() ? wholeBackbone(parameters, input) : stageFeatures(parameters, input);
        long rows = input.getShape().get(0);
        if (output.getShape().dimension() != 2 || output.getShape().get(0) != rows
                || output.getShape().get(1) != featureDim) {
            throw new IllegalStateException("backbone " + backboneId + " produced " + output.getShape()
                    + ", expected (" + rows + ", " + featureDim + ")");
        }
        return output;
    }

    /** The backbone's own output; a Java-built backbone's blocks each freed once it has run ({@link BlockByBlock}). */
    private NDArray wholeBackbone(ParameterStore parameters, NDArray input) {
        Block block = model.getBlock();
        NDList inputs = new NDList(input);
        // a TorchScript module runs as one native call: only its output reaches Java
        return (block instanceof SequentialBlock blocks ? BlockByBlock.forward(blocks, parameters, inputs, false)
                : block.forward(parameters, inputs, false)).singletonOrThrow();
    }

    /**
     * Children up to the last tapped stage, each tapped output globally average-pooled, concatenated; each child's
     * intermediates freed once it has run ({@link BlockByBlock}).
     */
    private NDArray stageFeatures(ParameterStore parameters, NDArray input) {
        List<Block> children = model.getBlock().getChildren().values();
        NDList activations = new NDList(input);
        NDList pooled = new NDList(taps.size());
        int next = 0;
        for (int child = 0; next < taps.size(); child++) {
            activations = BlockByBlock.step(children.get(child), parameters, activations, false, child > 0);
            if (taps.get(next).child() == child) {
                NDArray map = activations.singletonOrThrow();
                // [N, C, H, W] -> [N, C]: the mean over H then W (PyTorch's mean takes one axis at a time here)
                pooled.add(map.mean(new int[] {3}).mean(new int[] {2}));
                next++;
            }
        }
        return NDArrays.concat(pooled, 1);
    }

    @Override
    public void close() {
        model.close();
    }
}
