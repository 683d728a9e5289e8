package io.scanstream.model.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Grad-CAM (Selvaraju et al., 2017) with DJL's autograd on the PyTorch engine: the gradient of the COVID log-odds
 * with respect to a convolutional layer's activation {@code A} ({@code [1, C, h, w]}), averaged over the grid, weighs
 * the channels: {@code cam = ReLU(sum_c mean(dY/dA_c) * A_c)}, then divided by its maximum. The log-odds (logit
 * difference) rather than the softmax output: it is the score the probability is monotone in, and its gradient does
 * not vanish when the network is sure. One image at a time.
 *
 * <p>DJL's PyTorch engine allows one gradient collector per JVM at a time: callers run one explanation at a time
 * and never while training in the same process.
 */
public final class GradCam {

    /**
     * A network run up to the explained layer.
     *
     * @param activation the layer's output for the image, {@code [1, C, h, w]}
     * @param logOdds    the rest of the network: from that activation (a copy that tracks gradients is passed) to
     *                   the COVID log-odds, {@code [1]}
     */
    public record Layer(NDArray activation, UnaryOperator<NDArray> logOdds) {
    }

    private GradCam() {
    }

    /**
     * @param input   the network's input for one image, {@code [1, ...]}; every array made here is attached to its
     *                manager: pass one from a short-lived sub-manager
     * @param network runs the input to the explained layer
     */
    public static Saliency explain(NDArray input, Function<NDArray, Layer> network) {
        if (input.getShape().get(0) != 1) {
            throw new IllegalArgumentException("one image at a time, got a batch of " + input.getShape().get(0));
        }
        Layer layer = network.apply(input);
        Shape shape = layer.activation().getShape();
        if (shape.dimension() != 4 || shape.get(0) != 1) {
            throw new IllegalStateException("the explained layer's activation is " + shape + ", expected [1, C, h, w]");
        }
        // A leaf of its own, whatever the activation's history: the gradient is taken with respect to it alone.
        NDArray activation = layer.activation().stopGradient();
        activation.setRequiresGradient(true);
        NDArray gradient;
        float logOdds;
        try (GradientCollector collector = input.getManager().getEngine().newGradientCollector()) {
            NDArray score = layer.logOdds().apply(activation);
            if (score.size() != 1) {
                throw new IllegalStateException("the network's log-odds are " + score.getShape() + ", expected one value");
            }
            logOdds = score.toFloatArray()[0];
            collector.backward(score);
            gradient = activation.getGradient().duplicate();
        }
        NDArray values = activation.stopGradient();
        NDArray weights = gradient.mean(new int[] {3}).mean(new int[] {2}).reshape(1, shape.get(1), 1, 1);
        float[] cam = values.mul(weights).sum(new int[] {1}).toFloatArray();
        return new Saliency((int) shape.get(3), (int) shape.get(2), normalised(cam), sigmoid(logOdds));
    }

    /** ReLU, then divided by the maximum; all zeros when no cell is positive (nothing points to the class). */
    static float[] normalised(float[] cam) {
        float max = 0;
        for (float v : cam) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("the Grad-CAM map holds a non-finite value " + v);
            }
            max = Math.max(max, v);
        }
        float[] out = new float[cam.length];
        if (max > 0) {
            for (int i = 0; i < cam.length; i++) {
                out[i] = Math.max(0, cam[i]) / max;
            }
        }
        return out;
    }

    private static double sigmoid(double logOdds) {
        return 1 / (1 + Math.exp(-logOdds));
    }
}
