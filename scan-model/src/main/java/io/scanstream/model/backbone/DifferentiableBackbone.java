package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.scanstream.model.BlockByBlock;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A backbone on the PyTorch engine, as the Java-built block of {@link Backbones} holding the weights (whatever file
 * or engine serves them), split at its last convolutional stage so that the gradient of an output with respect to
 * that stage's activation can be taken (Grad-CAM; ONNX Runtime and a TorchScript module give no handle on it). The
 * same weights as the serving backbone, under the same id. Frozen: no parameter gets a gradient. Owns its model
 * (close it); not thread-safe.
 */
public final class DifferentiableBackbone implements AutoCloseable {

    /**
     * The input run up to the explained layer.
     *
     * @param activation the last convolutional stage's output, {@code [N, C, h, w]}
     * @param features   from that activation (or a copy of it that tracks gradients) to the backbone's features,
     *                   in its readout: global average pooling, after the earlier stages' pooled outputs for the
     *                   multi-scale readout (those do not depend on the activation)
     */
    public record Split(NDArray activation, UnaryOperator<NDArray> features) {
    }

    private final DjlFeatureExtractor extractor;
    private final BackboneSpec spec;
    private final List<Backbones.StageOutput> taps;
    private final int lastStage;

    DifferentiableBackbone(DjlFeatureExtractor extractor, BackboneSpec spec) {
        this.extractor = extractor;
        this.spec = spec;
        this.taps = spec.readout().taps(spec.architecture());
        List<Backbones.StageOutput> stages = Backbones.stageOutputs(spec.architecture());
        this.lastStage = stages.get(stages.size() - 1).child();
    }

    public String backboneId() {
        return extractor.backboneId();
    }

    public boolean pretrained() {
        return extractor.pretrained();
    }

    public BackboneArchitecture architecture() {
        return spec.architecture();
    }

    public FeatureReadout readout() {
        return spec.readout();
    }

    /**
     * The explained layer in torchvision's module names ({@code features.18} for MobileNetV2, {@code layer4} for
     * ResNet-34, the last max pooling {@code features.30} / {@code features.36} for VGG-16/19): the blocks of
     * {@link Backbones#build} are torchvision's, child for child, so the index is the same.
     */
    public String layer() {
        return spec.architecture() == BackboneArchitecture.RESNET34 ? "layer4" : "features." + lastStage;
    }

    /** Owns the model's arrays; make per-call sub-managers from it. */
    public NDManager manager() {
        return extractor.manager();
    }

    /**
     * Runs {@code [N, 3, H, W]} (as {@link InputTensors} makes it) up to the last convolutional stage, each child's
     * intermediates freed once it has run ({@link BlockByBlock}): only the activation, the earlier stages' pooled
     * outputs and the input stay on the input's manager.
     */
    public Split split(NDArray input) {
        ParameterStore parameters = new ParameterStore(input.getManager(), false);
        List<Block> children = extractor.block().getChildren().values();
        NDList activations = new NDList(input);
        NDList earlier = new NDList();
        for (int child = 0; child <= lastStage; child++) {
            activations = BlockByBlock.step(children.get(child), parameters, activations, false, child > 0);
            int at = child;
            if (child < lastStage && taps.stream().anyMatch(t -> t.child() == at)) {
                earlier.add(pool(activations.singletonOrThrow()));
            }
        }
        NDArray activation = activations.singletonOrThrow();
        if (taps.isEmpty()) {
            return new Split(activation, stage -> {
                NDList rest = new NDList(stage);
                for (int child = lastStage + 1; child < children.size(); child++) {
                    rest = children.get(child).forward(parameters, rest, false);
                }
                return rest.singletonOrThrow();
            });
        }
        return new Split(activation, stage -> {
            NDList pooled = new NDList(earlier);
            pooled.add(pool(stage));
            return NDArrays.concat(pooled, 1);
        });
    }

    /** As the multi-scale readout pools ({@link DjlFeatureExtractor}): the mean over H then W. */
    private static NDArray pool(NDArray map) {
        return map.mean(new int[] {3}).mean(new int[] {2});
    }

    @Override
    public void close() {
        extractor.close();
    }
}
