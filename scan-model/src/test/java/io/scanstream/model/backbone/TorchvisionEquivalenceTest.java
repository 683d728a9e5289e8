package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.Fixtures;
import io.scanstream.model.Fixtures.TorchvisionParameter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.FloatBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java-built backbones against torchvision itself: same parameters in the same order with the same shapes, and,
 * filled with the same deterministic values, the same features on the reference batch (which also runs through
 * the model's preprocessing). Expected values come from src/test/python/make_fixtures.py.
 */
class TorchvisionEquivalenceTest {

    @BeforeAll
    static void offline() {
        DjlEnvironment.configure();
    }

    @ParameterizedTest
    @EnumSource(BackboneArchitecture.class)
    void matchesTorchvisionParameterForParameterAndOutputForOutput(BackboneArchitecture architecture) {
        String fixture = "torchvision_" + architecture.id() + ".txt";
        List<TorchvisionParameter> torchvision = Fixtures.torchvisionParameters(fixture);
        float[][] expected = Fixtures.expectedOutput(fixture);
        Block block = Backbones.build(architecture);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            List<Parameter> parameters = block.getParameters().values();

            assertThat(parameters).hasSize(torchvision.size());
            for (int i = 0; i < parameters.size(); i++) {
                Parameter parameter = parameters.get(i);
                TorchvisionParameter reference = torchvision.get(i);
                assertThat(parameter.getShape().getShape()).as(reference.name()).isEqualTo(reference.shape());
                String kind = kind(parameter);
                assertThat(reference.name()).as(parameter.getName()).endsWith(torchvisionSuffix(kind));
                parameter.getArray().set(FloatBuffer.wrap(formulaValues(i, kind, reference.shape())));
            }

            NDArray input = InputTensors.normalisedBatch(manager, Fixtures.referenceBatch(), 2);
            NDArray output = block.forward(new ParameterStore(manager, false), new NDList(input), false)
                    .singletonOrThrow();

            assertThat(output.getShape()).isEqualTo(new Shape(2, architecture.featureDim()));
            float[] actual = output.toFloatArray();
            double tolerance = 1e-3 * Fixtures.maxAbs(expected);
            for (int row = 0; row < 2; row++) {
                for (int col = 0; col < architecture.featureDim(); col++) {
                    assertThat((double) actual[row * architecture.featureDim() + col])
                            .as("feature [%d, %d]", row, col)
                            .isCloseTo(expected[row][col], org.assertj.core.data.Offset.offset(tolerance));
                }
            }
        }
    }

    private static String kind(Parameter parameter) {
        return switch (parameter.getName()) {
            case "weight" -> "conv_weight";
            case "bias" -> "conv_bias";
            case "gamma" -> "bn_weight";
            case "beta" -> "bn_bias";
            case "runningMean" -> "bn_running_mean";
            case "runningVar" -> "bn_running_var";
            default -> throw new IllegalStateException("unexpected parameter " + parameter.getName());
        };
    }

    private static String torchvisionSuffix(String kind) {
        return switch (kind) {
            case "conv_weight", "bn_weight" -> ".weight";
            case "conv_bias", "bn_bias" -> ".bias";
            case "bn_running_mean" -> ".running_mean";
            default -> ".running_var";
        };
    }

    /** make_fixtures.py's formula_values. */
    private static float[] formulaValues(int index, String kind, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int j = 0; j < values.length; j++) {
            double u = Math.sin(j * 12.9898 + index * 78.233);
            double v = switch (kind) {
                case "conv_weight" -> u * Math.sqrt(2.0) * Math.sqrt(2.0 / (n / shape[0]));
                case "conv_bias" -> 0.01 * u;
                case "bn_weight" -> 1.0 + 0.1 * u;
                case "bn_bias", "bn_running_mean" -> 0.1 * u;
                case "bn_running_var" -> 1.0 + 0.2 * u;
                default -> throw new IllegalArgumentException(kind);
            };
            values[j] = (float) v;
        }
        return values;
    }
}
