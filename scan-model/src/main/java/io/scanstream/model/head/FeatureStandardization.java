package io.scanstream.model.head;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import java.nio.FloatBuffer;

/**
 * Per-feature standardisation {@code (x - mean) / std} as the head's first layer. Backbone features differ in scale
 * by orders of magnitude and the measured reference head was trained on standardised features; keeping the
 * statistics as (non-trainable) parameters of the head means they travel in the same weights bytes and inference
 * cannot apply a head without them. Identity ({@code mean 0, std 1}) until {@link #set} is called.
 */
public final class FeatureStandardization extends AbstractBlock {

    private static final byte VERSION = 1;
    /** A constant feature has std 0; it is centred and left unscaled instead of divided by zero. */
    private static final float MIN_STD = 1e-6f;

    private final Parameter mean;
    private final Parameter std;

    public FeatureStandardization() {
        super(VERSION);
        // Type OTHER with explicit initialisers: an optimiser or initialiser aimed at weights never touches them.
        mean = addParameter(Parameter.builder().setName("mean").setType(Parameter.Type.OTHER)
                .optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
        std = addParameter(Parameter.builder().setName("std").setType(Parameter.Type.OTHER)
                .optInitializer(Initializer.ONES).optRequiresGrad(false).build());
    }

    /** Sets the statistics (of the training features); the block must be initialised. */
    public void set(float[] featureMean, float[] featureStd) {
        long dim = mean.getArray().getShape().get(0);
        if (featureMean.length != dim || featureStd.length != dim) {
            throw new IllegalArgumentException("expected " + dim + " means and stds, got " + featureMean.length
                    + " and " + featureStd.length);
        }
        float[] safeStd = featureStd.clone();
        for (int i = 0; i < safeStd.length; i++) {
            if (!(safeStd[i] >= MIN_STD) || !Float.isFinite(safeStd[i])) {
                safeStd[i] = 1f;
            }
        }
        mean.getArray().set(FloatBuffer.wrap(featureMean));
        std.getArray().set(FloatBuffer.wrap(safeStd));
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray features = inputs.singletonOrThrow();
        Device device = features.getDevice();
        NDArray centred = features.sub(parameterStore.getValue(mean, device, training));
        return new NDList(centred.div(parameterStore.getValue(std, device, training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape features = new Shape(inputShapes[0].get(inputShapes[0].dimension() - 1));
        mean.setShape(features);
        std.setShape(features);
    }
}
