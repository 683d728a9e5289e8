package io.scanstream.model.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.scanstream.model.DjlEnvironment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Grad-CAM arithmetic on networks whose answer is known by hand. */
class GradCamTest {

    /**
     * Log-odds = sum_c w_c * mean(A_c): dY/dA_c = w_c / (h w) everywhere, so the map is ReLU(sum_c w_c A_c) up to a
     * positive factor, divided by its maximum.
     */
    @Test
    void weighsChannelsByTheirMeanGradientThenReluAndScalesToOne() {
        DjlEnvironment.configure();
        float[] w = {2f, -1f};
        // two channels on a 2x3 grid
        float[] a = {
                1, 0, 0, 0, 0, 3, // channel 0
                0, 1, 0, 0, 4, 0}; // channel 1
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray weights = manager.create(w).reshape(1, 2);
            NDArray input = manager.create(a).reshape(1, 2, 2, 3);
            Saliency saliency = GradCam.explain(input, x -> new GradCam.Layer(x,
                    activation -> activation.mean(new int[] {3}).mean(new int[] {2}).mul(weights).sum(new int[] {1})));

            // sum_c w_c A_c per cell: {2, -1, 0, 0, -4, 6} -> ReLU -> / 6
            assertThat(saliency.gridWidth()).isEqualTo(3);
            assertThat(saliency.gridHeight()).isEqualTo(2);
            assertThat(saliency.cam()).containsExactly(new float[] {2 / 6f, 0, 0, 0, 0, 1}, within(1e-6f));
            // log-odds = 2 * mean(A_0) - mean(A_1) = 2 * 4/6 - 5/6 = 0.5
            assertThat(saliency.probability()).isCloseTo(1 / (1 + Math.exp(-0.5)), within(1e-6));
        }
    }

    @Test
    void isAllZeroWhenNothingSpeaksForTheClass() {
        DjlEnvironment.configure();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray input = manager.ones(new ai.djl.ndarray.types.Shape(1, 1, 2, 2));
            Saliency saliency = GradCam.explain(input, x -> new GradCam.Layer(x,
                    activation -> activation.sum(new int[] {1, 2, 3}).neg()));
            assertThat(saliency.cam()).containsOnly(0f);
            assertThat(saliency.probability()).isCloseTo(1 / (1 + Math.exp(4)), within(1e-6));
        }
    }

    @Test
    void explainsOneImageAtATime() {
        DjlEnvironment.configure();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray batch = manager.ones(new ai.djl.ndarray.types.Shape(2, 1, 2, 2));
            assertThatThrownBy(() -> GradCam.explain(batch, x -> new GradCam.Layer(x, activation -> activation.sum())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one image at a time");
        }
    }

    @Test
    void saliencyMassCountsTheUpsampledMapInsideTheRegion() {
        // a 2x2 map with all its mass in the top-left cell, on a 4x4 image
        Saliency corner = new Saliency(2, 2, new float[] {1, 0, 0, 0}, 0.5);
        boolean[] topLeft = new boolean[16];
        boolean[] all = new boolean[16];
        java.util.Arrays.fill(all, true);
        topLeft[0] = topLeft[1] = topLeft[4] = topLeft[5] = true;
        assertThat(SaliencyMass.insideRegion(corner, all, 4, 4)).isCloseTo(1, within(1e-9));
        // bilinear spreading moves some mass out of the quadrant: most, not all, stays
        assertThat(SaliencyMass.insideRegion(corner, topLeft, 4, 4)).isBetween(0.5, 0.9);
        // an even map scores the region's area
        Saliency even = new Saliency(2, 2, new float[] {1, 1, 1, 1}, 0.5);
        assertThat(SaliencyMass.insideRegion(even, topLeft, 4, 4)).isCloseTo(0.25, within(1e-9));
        assertThat(SaliencyMass.insideRegion(new Saliency(2, 2, new float[4], 0.5), topLeft, 4, 4)).isZero();
    }
}
