package io.scanstream.learning.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReleasableAdamTest {

    private static final int STEPS = 3;

    @BeforeAll
    static void engine() {
        DjlEnvironment.configure();
    }

    @Test
    void releasesBothMomentsOfEveryParameterOnClose() {
        List<NDArray> held;
        try (ReleasableAdam adam = ReleasableAdam.of(adam())) {
            train(adam);
            held = adam.heldState();
            // a linear layer's weight and bias, each with its first and second moment, still live after the
            // trainer and the model are closed: DJL leaves them to whoever owns the optimiser
            assertThat(held).hasSize(4).noneMatch(NDArray::isReleased);
        }
        assertThat(held).allMatch(NDArray::isReleased);
    }

    @Test
    void updatesTheWeightsExactlyAsDjlsAdam() {
        byte[] djl = train(adam().build());
        byte[] releasable;
        try (ReleasableAdam adam = ReleasableAdam.of(adam())) {
            releasable = train(adam);
        }
        assertThat(releasable).isEqualTo(djl);
    }

    private static ai.djl.training.optimizer.Adam.Builder adam() {
        return Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f));
    }

    /** A few Adam steps of a seeded linear layer on fixed data; its parameters afterwards. */
    private static byte[] train(Optimizer optimizer) {
        Block block = Linear.builder().setUnits(2).build();
        try (Model model = Model.newInstance("releasable-adam", "PyTorch")) {
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optInitializer(new SeededInitializer(3), Parameter.Type.WEIGHT).optOptimizer(optimizer);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(4, 3));
                for (int step = 0; step < STEPS; step++) {
                    try (NDManager batch = trainer.getManager().newSubManager()) {
                        NDArray x = batch.create(new float[] {1, 0, 2, 0, 1, -1, 3, 1, 0, -2, 0, 1}, new Shape(4, 3));
                        NDArray y = batch.create(new float[] {0, 1, 1, 0});
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray out = trainer.forward(new NDList(x)).singletonOrThrow();
                            collector.backward(trainer.getLoss().evaluate(new NDList(y), new NDList(out)));
                        }
                        trainer.step();
                    }
                }
                return BlockParameters.toBytes(block);
            }
        }
    }
}
