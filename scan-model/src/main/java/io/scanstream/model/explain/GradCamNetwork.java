package io.scanstream.model.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.DifferentiableBackbone;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.InputTensors;
import io.scanstream.model.head.ClassificationHead;

import java.io.IOException;
import java.util.List;

/**
 * A served network (backbone and head) rebuilt on PyTorch for Grad-CAM on the backbone's last convolutional stage:
 * the backbone as its Java-built block ({@link FeatureExtractors#differentiable}), the head from its weights, and
 * the readout the backbone id names (final or multi-scale), so the probability is the one the serving path gives
 * for the same image. Owns both models (close it); one explanation at a time ({@link GradCam}).
 */
public final class GradCamNetwork implements AutoCloseable {

    private final DifferentiableBackbone backbone;
    private final ClassificationHead head;

    private GradCamNetwork(DifferentiableBackbone backbone, ClassificationHead head) {
        this.backbone = backbone;
        this.head = head;
    }

    /**
     * @param head          the head's architecture; its input width must be the backbone's feature width
     * @param headWeights   as the model artifact carries them
     * @param seedForRandom the seed a backbone without weights was initialised with (as in serving)
     */
    public static GradCamNetwork load(BackboneSpec spec, long seedForRandom, HeadArchitecture head, byte[] headWeights)
            throws IOException {
        if (head.inputDim() != spec.featureDim()) {
            throw new IllegalArgumentException("head takes " + head.inputDim() + " features, backbone "
                    + spec.architecture().id() + " (" + spec.readout().id() + ") gives " + spec.featureDim());
        }
        DifferentiableBackbone backbone = FeatureExtractors.differentiable(spec, seedForRandom);
        try {
            return new GradCamNetwork(backbone, ClassificationHead.fromWeights(head, headWeights));
        } catch (RuntimeException e) {
            backbone.close();
            throw e;
        }
    }

    /** A backbone and a head already loaded; both become this network's (closed with it). */
    public static GradCamNetwork of(DifferentiableBackbone backbone, ClassificationHead head) {
        return new GradCamNetwork(backbone, head);
    }

    public String backboneId() {
        return backbone.backboneId();
    }

    /** The explained layer, in torchvision's module names ({@link DifferentiableBackbone#layer()}). */
    public String layer() {
        return backbone.layer();
    }

    /** Grad-CAM of one preprocessed scan (224x224 grey for the ImageNet backbones). */
    public Saliency explain(GreyImage image) {
        return explain(backbone, head, image);
    }

    /**
     * Grad-CAM of one scan through a backbone and a head owned elsewhere (a service keeps the backbone across head
     * versions on it); the head's input width must be the backbone's feature width.
     */
    public static Saliency explain(DifferentiableBackbone backbone, ClassificationHead head, GreyImage image) {
        try (NDManager call = backbone.manager().newSubManager()) {
            NDArray input = InputTensors.normalisedBatch(call, List.of(image), 1);
            return GradCam.explain(input, x -> {
                DifferentiableBackbone.Split split = backbone.split(x);
                return new GradCam.Layer(split.activation(),
                        activation -> head.logOdds(split.features().apply(activation)));
            });
        }
    }

    @Override
    public void close() {
        try (backbone) {
            head.close();
        }
    }
}
