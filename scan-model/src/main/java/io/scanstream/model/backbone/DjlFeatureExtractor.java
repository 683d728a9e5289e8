package io.scanstream.model.backbone;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.scanstream.core.imaging.GreyImage;

import java.util.List;

/**
 * The one {@link FeatureExtractor}: a DJL model (a TorchScript module or a Java-built block with its parameters)
 * run in inference mode. Owns the model; each batch's arrays live in a sub-manager closed before embed returns.
 */
final class DjlFeatureExtractor implements FeatureExtractor {

    private final Model model;
    private final BackboneArchitecture architecture;
    private final String backboneId;
    private final boolean pretrained;

    DjlFeatureExtractor(Model model, BackboneArchitecture architecture, String backboneId, boolean pretrained) {
        this.model = model;
        this.architecture = architecture;
        this.backboneId = backboneId;
        this.pretrained = pretrained;
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
        return architecture.featureDim();
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
        Block block = model.getBlock();
        NDArray output = block.forward(new ParameterStore(batch, false), new NDList(input), false).singletonOrThrow();
        long rows = input.getShape().get(0);
        if (output.getShape().dimension() != 2 || output.getShape().get(0) != rows
                || output.getShape().get(1) != architecture.featureDim()) {
            throw new IllegalStateException("backbone " + backboneId + " produced " + output.getShape()
                    + ", expected (" + rows + ", " + architecture.featureDim() + ")");
        }
        return output;
    }

    /** One forward on zeros of the given shape, to catch weights that do not fit the architecture. */
    void probe(Shape input) {
        try (NDManager probe = model.getNDManager().newSubManager()) {
            forward(probe, probe.zeros(input));
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
