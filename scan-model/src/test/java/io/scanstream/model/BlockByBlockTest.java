package io.scanstream.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BlockByBlockTest {

    private static final Shape INPUT = new Shape(2, 3, 16, 16);

    @BeforeAll
    static void engine() {
        DjlEnvironment.configure();
    }

    @Test
    void givesSequentialBlocksOutputAndLeavesOnlyTheOutputBesideTheInput() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Engine.getEngine("PyTorch").setRandomSeed(5);
            SequentialBlock blocks = new SequentialBlock();
            for (int i = 0; i < 4; i++) {
                blocks.add(new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                                .setFilters(8).build())
                        .add(BatchNorm.builder().build())
                        .add(Activation::relu));
            }
            blocks.initialize(manager, DataType.FLOAT32, INPUT);

            float[] expected;
            int arraysOfSequentialPass;
            try (NDManager batch = manager.newSubManager()) {
                NDArray x = batch.randomUniform(0, 1, INPUT);
                expected = blocks.forward(new ParameterStore(batch, false), new NDList(x), false).singletonOrThrow()
                        .toFloatArray();
                arraysOfSequentialPass = batch.getManagedArrays().size();
                try (NDManager again = manager.newSubManager()) {
                    NDArray same = again.create(x.toFloatArray(), INPUT);
                    NDArray output = BlockByBlock.forward(blocks, new ParameterStore(again, false), new NDList(same),
                            false).singletonOrThrow();

                    assertThat(output.toFloatArray()).containsExactly(expected, within(1e-6f));
                    assertThat(output.getManager()).isSameAs(again);
                    assertThat(same.isReleased()).isFalse(); // the caller's input is still the caller's
                    assertThat(again.getManagedArrays()).containsExactlyInAnyOrder(same, output);
                    assertThat(arraysOfSequentialPass).isGreaterThan(4 * 3);
                }
            }
        }
    }

    @Test
    void aStepFreesAPreviousStepsOutputButNeverTheCallersInput() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock relu = new SequentialBlock().add(Activation::relu);
            relu.initialize(manager, DataType.FLOAT32, INPUT);
            NDArray input = manager.randomUniform(-1, 1, INPUT);
            ParameterStore parameters = new ParameterStore(manager, false);

            NDList first = BlockByBlock.step(relu, parameters, new NDList(input), false, false);
            NDList second = BlockByBlock.step(relu, parameters, first, false, true);

            assertThat(input.isReleased()).isFalse();
            assertThat(first.singletonOrThrow().isReleased()).isTrue();
            assertThat(second.singletonOrThrow().isReleased()).isFalse();
            assertThat(second.singletonOrThrow().getManager()).isSameAs(manager);
        }
    }
}
