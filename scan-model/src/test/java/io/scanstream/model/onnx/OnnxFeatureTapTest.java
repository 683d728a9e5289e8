package io.scanstream.model.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A classifier the test writes (1x1 convolution, pool, flatten, dense layer to logits) tapped at its convolution:
 * ONNX Runtime must then give exactly the convolution's channel means, and only that output.
 */
class OnnxFeatureTapTest {

    private static final float[] CONV_WEIGHTS = {1f, 2f, -1f, 0.5f, 0f, 3f}; // [3 out, 2 in, 1, 1]
    private static final float[] CONV_BIAS = {0.1f, -0.2f, 0.3f};

    @Test
    void theTappedGraphOutputsTheChannelMeansOfTheNamedTensorAndNothingElse() throws Exception {
        byte[] tapped = OnnxFeatureTap.tap(classifier(), "conv", 3);

        float[][][][] input = new float[2][2][3][3];
        Random random = new Random(5);
        for (float[][][] image : input) {
            for (float[][] channel : image) {
                for (float[] row : channel) {
                    for (int x = 0; x < row.length; x++) {
                        row[x] = (float) random.nextGaussian();
                    }
                }
            }
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(tapped, new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(environment, input);
             OrtSession.Result result = session.run(Map.of("input", tensor))) {
            assertThat(session.getOutputNames()).containsExactly(OnnxFeatureTap.OUTPUT);
            float[][] features = (float[][]) result.get(0).getValue();
            assertThat(features).hasDimensions(2, 3);
            for (int n = 0; n < 2; n++) {
                float[] means = {mean(input[n][0]), mean(input[n][1])};
                for (int c = 0; c < 3; c++) {
                    float expected = CONV_WEIGHTS[2 * c] * means[0] + CONV_WEIGHTS[2 * c + 1] * means[1] + CONV_BIAS[c];
                    assertThat(features[n][c]).isCloseTo(expected, within(1e-5f));
                }
            }
        }
    }

    @Test
    void refusesATensorNoNodeComputes() {
        assertThatThrownBy(() -> OnnxFeatureTap.tap(classifier(), "no_such_tensor", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'no_such_tensor'");
    }

    @Test
    void refusesAGraphThatAlreadyHasTheOutputsName() {
        byte[] once = OnnxFeatureTap.tap(classifier(), "conv", 3);
        assertThatThrownBy(() -> OnnxFeatureTap.tap(once, "conv", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already computes");
    }

    @Test
    void refusesBytesThatAreNotAModel() {
        assertThatThrownBy(() -> OnnxFeatureTap.tap("not a model".getBytes(StandardCharsets.UTF_8), "conv", 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] classifier() {
        OnnxGraphWriter graph = new OnnxGraphWriter("tiny-classifier");
        graph.input("input", "N", 2, 3, 3);
        String weights = graph.initializer("conv_w", new long[] {3, 2, 1, 1}, CONV_WEIGHTS);
        String bias = graph.initializer("conv_b", new long[] {3}, CONV_BIAS);
        String conv = graph.node("Conv", List.of("input", weights, bias), "conv");
        String pooled = graph.node("GlobalAveragePool", List.of(conv));
        String flat = graph.node("Flatten", List.of(pooled), OnnxGraphWriter.Attribute.of("axis", 1L));
        String dense = graph.initializer("dense_w", new long[] {3, 4}, new float[] {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1});
        graph.node("MatMul", List.of(flat, dense), "logits");
        graph.output("logits", "N", 4);
        return graph.toBytes("scanstream-test");
    }

    private static float mean(float[][] channel) {
        double sum = 0;
        for (float[] row : channel) {
            for (float v : row) {
                sum += v;
            }
        }
        return (float) (sum / (channel.length * channel[0].length));
    }
}
