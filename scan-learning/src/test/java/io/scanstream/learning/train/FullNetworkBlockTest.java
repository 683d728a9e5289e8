package io.scanstream.learning.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.Backbones;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The network's pass closes each backbone block's intermediate arrays once the block has run. These tests hold it to
 * DJL's own sequential pass over the same weights: the same output and the same gradients, with a fraction of the
 * arrays left on the batch's manager.
 */
class FullNetworkBlockTest {

    private static final String ENGINE = "PyTorch";
    private static final Shape INPUT = new Shape(2, 3, 32, 32);
    /** The fine-tuning default for MobileNetV2 from pretrained weights. */
    private static final int FROZEN_BLOCKS = 8;

    @BeforeAll
    static void engine() {
        DjlEnvironment.configure();
    }

    /**
     * @param batchStatistics true: training from scratch (batch norm learns its statistics, nothing frozen); false:
     *                        fine-tuning (statistics fixed, the first blocks frozen)
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void freeingEachBlocksIntermediatesChangesNeitherTheOutputNorAnyGradient(boolean batchStatistics) {
        SplittableRandom random = new SplittableRandom(3);
        float[] input = new float[Math.toIntExact(INPUT.size())];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble();
        }
        try (NDManager manager = NDManager.newBaseManager(ENGINE)) {
            FullNetworkBlock network = network(manager, batchStatistics);
            FullNetworkBlock reference = network(manager, batchStatistics);
            List<float[]> start = FullNetworkTrainer.values(network);
            List<float[]> referenceStart = FullNetworkTrainer.values(reference);
            for (int i = 0; i < start.size(); i++) {
                assertThat(Arrays.equals(start.get(i), referenceStart.get(i))).as("parameter %d", i).isTrue();
            }

            Pass freed = pass(manager, input, (ps, x) -> network.forward(ps, x, true));
            Pass sequential = pass(manager, input, (ps, x) -> reference.head().forward(ps,
                    reference.backbone().forward(ps, x, batchStatistics), true));

            assertThat(freed.output()).containsExactly(sequential.output(), within(1e-5f));
            List<float[]> expected = gradients(reference);
            List<float[]> actual = gradients(network);
            assertThat(actual).hasSameSizeAs(expected).hasSizeGreaterThan(2);
            for (int i = 0; i < expected.size(); i++) {
                // relative to the gradient's own scale (equal bit for bit here; another CPU's kernels may round apart)
                assertThat(maxDifference(actual.get(i), expected.get(i))).as("gradient %d", i)
                        .isLessThanOrEqualTo(1e-4f * Math.max(1e-3f, maxAbs(expected.get(i))));
            }
            // DJL's pass leaves every array of every block on the batch's manager until it closes; this one leaves
            // the input, the backbone's output and the head's arrays.
            assertThat(freed.arraysLeft()).isLessThan(sequential.arraysLeft() / 10);
        }
    }

    private interface Forward {
        NDList apply(ParameterStore parameters, NDList inputs);
    }

    private record Pass(float[] output, int arraysLeft) {
    }

    /** One forward and backward pass on its own batch manager, as the training loop runs a step. */
    private static Pass pass(NDManager manager, float[] input, Forward forward) {
        try (NDManager batch = manager.newSubManager();
             GradientCollector collector = Engine.getEngine(ENGINE).newGradientCollector()) {
            NDArray x = batch.create(input, INPUT);
            NDArray output = forward.apply(new ParameterStore(batch, false), new NDList(x)).singletonOrThrow();
            collector.backward(output.sum());
            return new Pass(output.toFloatArray(), batch.getManagedArrays().size());
        }
    }

    /** MobileNetV2 and a linear head, seeded, so that two calls build the same weights. */
    private static FullNetworkBlock network(NDManager manager, boolean batchStatistics) {
        Engine.getEngine(ENGINE).setRandomSeed(11);
        FullNetworkBlock network = new FullNetworkBlock(Backbones.build(BackboneArchitecture.MOBILENET_V2),
                Linear.builder().setUnits(1).build(), batchStatistics);
        network.initialize(manager, DataType.FLOAT32, INPUT);
        if (!batchStatistics) {
            network.backbone().getChildren().values().subList(0, FROZEN_BLOCKS)
                    .forEach(block -> block.freezeParameters(true));
        }
        return network;
    }

    /** The gradients of the parameters that train, in the network's order. */
    private static List<float[]> gradients(Block network) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : network.getParameters().values()) {
            if (p.requiresGradient()) {
                out.add(p.getArray().getGradient().toFloatArray());
            }
        }
        return out;
    }

    private static float maxDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
