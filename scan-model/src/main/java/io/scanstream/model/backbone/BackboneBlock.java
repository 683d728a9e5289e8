package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The block {@link Backbones#build} returns. DJL writes every block's input shapes into its saved parameters, so
 * the same weights saved after running at another shape (training at its batch size and image size) would give
 * other bytes. This block always saves its parameters as if initialised for {@link #CANONICAL_INPUT}: the bytes
 * depend on the weights alone, and the backbone id ({@link BackboneIdentity}) hashes them. Loading is unchanged
 * (shapes read back are not used to run).
 */
final class BackboneBlock extends SequentialBlock {

    /** One 224x224 image: the shape every backbone's parameters are saved for. */
    static final Shape CANONICAL_INPUT = new Shape(1, 3, 224, 224);

    private final BackboneArchitecture architecture;

    BackboneBlock(BackboneArchitecture architecture) {
        this.architecture = architecture;
    }

    BackboneArchitecture architecture() {
        return architecture;
    }

    @Override
    public void saveParameters(DataOutputStream os) throws IOException {
        if (!isInitialized() || isCanonical()) {
            super.saveParameters(os);
            return;
        }
        List<Parameter> own = getParameters().values();
        try (NDManager scratch = own.get(0).getArray().getManager().newSubManager()) {
            BackboneBlock canonical = (BackboneBlock) Backbones.build(architecture);
            canonical.initialize(scratch, DataType.FLOAT32, CANONICAL_INPUT);
            canonical.freezeParameters(true);
            List<Parameter> target = canonical.getParameters().values();
            for (int i = 0; i < own.size(); i++) {
                target.get(i).getArray().set(own.get(i).getArray().toFloatArray());
            }
            canonical.saveParameters(os);
        }
    }

    private boolean isCanonical() {
        Shape[] shapes = getInputShapes();
        return shapes.length == 1 && shapes[0].equals(CANONICAL_INPUT);
    }
}
