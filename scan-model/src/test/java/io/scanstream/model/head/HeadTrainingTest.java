package io.scanstream.model.head;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.model.Fixtures;
import io.scanstream.model.SeededInitializer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The head block is what the training service trains with DJL's Trainer: check that it can. */
class HeadTrainingTest {

    private static final HeadArchitecture ARCHITECTURE = new HeadArchitecture(8, List.of(16, 8, 4), 0.1, 2);

    @Test
    void trainsWithDjlsTrainerWhileItsFeatureStatisticsStayFixed() {
        Engine.getEngine("PyTorch").setRandomSeed(7); // dropout's mask
        float[] mean = {1, 1, 1, 1, 1, 1, 1, 1};
        float[] std = {2, 2, 2, 2, 2, 2, 2, 2};
        try (Model model = HeadBlocks.newModel(ARCHITECTURE);
             Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                     .optInitializer(new SeededInitializer(Fixtures.SEED), Parameter.Type.WEIGHT)
                     .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build()));
             NDManager data = model.getNDManager().newSubManager()) {
            trainer.initialize(new Shape(32, 8));
            HeadBlocks.setFeatureStandardization(model.getBlock(), mean, std);
            // separable: class 1 when the first feature is above its mean
            float[][] x = ClassificationHeadTest.embeddings(32, 8, 5);
            float[] labels = new float[32];
            for (int i = 0; i < 32; i++) {
                labels[i] = x[i][0] > 1 ? 1 : 0;
            }
            NDArray features = data.create(x);
            NDArray targets = data.create(labels);

            float first = 0;
            float last = 0;
            for (int step = 0; step < 60; step++) {
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(features)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(targets), new NDList(logits));
                    collector.backward(loss);
                    last = loss.getFloat();
                    first = step == 0 ? last : first;
                }
                trainer.step();
            }

            assertThat(last).isLessThan(first / 2);
            List<Parameter> statistics = model.getBlock().getChildren().get(0).getValue()
                    .getParameters().values();
            assertThat(statistics.get(0).getArray().toFloatArray()).containsExactly(mean);
            assertThat(statistics.get(1).getArray().toFloatArray()).containsExactly(std);
        }
    }
}
