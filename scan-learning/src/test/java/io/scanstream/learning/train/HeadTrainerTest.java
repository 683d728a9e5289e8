package io.scanstream.learning.train;

import io.scanstream.core.artifact.EpochMetrics;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.model.head.HeadBlocks;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.learning.SyntheticEmbeddings;
import io.scanstream.learning.SyntheticEmbeddings.Row;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The head trainer on seeded synthetic embeddings (no Kafka, no Quarkus). */
class HeadTrainerTest {

    private static final int DIM = 64;
    private static final HeadTrainingSettings SETTINGS = new HeadTrainingSettings(List.of(64, 32, 16), 0.2, 15, 16,
            new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-4, 3e-3, 2, 1), 11, 0, 0);

    private final HeadTrainer trainer = new HeadTrainer();

    @Test
    void learnsSeparableEmbeddingsToHighValidationAccuracy() {
        LabelledVectors train = vectors(SyntheticEmbeddings.rows("t", 100, 2, DIM, 1.5, 1));
        LabelledVectors validation = vectors(SyntheticEmbeddings.rows("v", 30, 2, DIM, 1.5, 2));

        TrainedHead head = trainer.train(train, validation, SETTINGS, EpochObserver.NONE);

        EpochMetrics last = head.epochs().get(head.epochs().size() - 1);
        assertThat(last.validationAccuracy()).isGreaterThan(0.9);
        BinaryEvaluation evaluation = ThresholdRule.YOUDEN.evaluate(
                HeadScoring.score(head.architecture(), head.weights(), validation.features()), validation.covid());
        assertThat(evaluation.auc()).isGreaterThan(0.95);
        assertThat(evaluation.accuracy()).isGreaterThan(0.9);
        assertThat(head.architecture().describe()).isEqualTo("64-64-32-16-2");
    }

    @Test
    void recordsLossAccuracyAndLearningRateForEveryEpochAndTheLossFalls() {
        LabelledVectors train = vectors(SyntheticEmbeddings.rows("t", 60, 2, DIM, 1.0, 3));
        LabelledVectors validation = vectors(SyntheticEmbeddings.rows("v", 20, 2, DIM, 1.0, 4));
        List<Integer> observed = new ArrayList<>();

        TrainedHead head = trainer.train(train, validation, SETTINGS, (m, epochs) -> observed.add(m.epoch()));

        assertThat(observed).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(head.epochs()).hasSize(15).allSatisfy(m -> {
            assertThat(m.trainLoss()).isPositive();
            assertThat(m.trainAccuracy()).isBetween(0.0, 1.0);
            assertThat(m.validationLoss()).isNotNull().isPositive();
            assertThat(m.validationAccuracy()).isNotNull().isBetween(0.0, 1.0);
        });
        assertThat(head.epochs().get(14).trainLoss()).isLessThan(head.epochs().get(0).trainLoss() / 2);
        // 120 rows in batches of 16: 8 updates per epoch, half a cycle = 2 epochs = 16 updates
        CyclicLearningRate schedule = SETTINGS.learningRate().inIterations(8);
        assertThat(head.epochs().get(1).learningRate()).isCloseTo(schedule.at(16), within(1e-9));
        assertThat(head.epochs().get(1).learningRate()).isCloseTo(3e-3, within(1e-7));
        assertThat(head.epochs().get(3).learningRate()).isCloseTo(1e-4, within(1e-7));
    }

    @Test
    void theSameSeedTrainsTheSameHead() {
        LabelledVectors train = vectors(SyntheticEmbeddings.rows("t", 40, 2, DIM, 1.0, 5));
        LabelledVectors validation = vectors(SyntheticEmbeddings.rows("v", 10, 2, DIM, 1.0, 6));

        TrainedHead first = trainer.train(train, validation, SETTINGS.withEpochs(4), EpochObserver.NONE);
        TrainedHead again = trainer.train(train, validation, SETTINGS.withEpochs(4), EpochObserver.NONE);

        for (int e = 0; e < 4; e++) {
            assertThat(again.epochs().get(e).trainLoss()).isCloseTo(first.epochs().get(e).trainLoss(), within(1e-5));
            assertThat(again.epochs().get(e).validationLoss()).isCloseTo(first.epochs().get(e).validationLoss(),
                    within(1e-5));
        }
    }

    @Test
    void storesTheTrainingSplitsFeatureStatisticsInTheWeights() throws Exception {
        LabelledVectors train = vectors(SyntheticEmbeddings.rows("t", 40, 2, DIM, 1.0, 7));

        TrainedHead head = trainer.train(train, vectors(List.of()), SETTINGS.withEpochs(1), EpochObserver.NONE);

        FeatureStatistics expected = FeatureStatistics.of(train.features());
        Block block = HeadBlocks.build(head.architecture());
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             DataInputStream in = new DataInputStream(new ByteArrayInputStream(head.weights()))) {
            block.loadParameters(manager, in);
            List<Parameter> standardisation = block.getChildren().get(0).getValue().getParameters().values();
            assertThat(standardisation.get(0).getArray().toFloatArray()).containsExactly(expected.mean());
            assertThat(standardisation.get(1).getArray().toFloatArray()).containsExactly(expected.std());
        }
        assertThat(head.epochs().get(0).validationLoss()).isNull();
        assertThat(head.bestEpoch()).isEqualTo(1);
    }

    @Test
    void weightDecayShrinksTheLearntWeights() throws Exception {
        LabelledVectors train = vectors(SyntheticEmbeddings.rows("t", 60, 2, DIM, 1.0, 9));

        TrainedHead plain = trainer.train(train, vectors(List.of()), SETTINGS.withEpochs(10), EpochObserver.NONE);
        TrainedHead decayed = trainer.train(train, vectors(List.of()), SETTINGS.withEpochs(10).withWeightDecay(0.5),
                EpochObserver.NONE);

        // same seed, same batches: only the L2 term differs
        assertThat(weightNorm(decayed)).isLessThan(0.8 * weightNorm(plain));
    }

    /** Euclidean norm of the linear layers' weights (the standardisation statistics left out). */
    private static double weightNorm(TrainedHead head) throws Exception {
        Block block = HeadBlocks.build(head.architecture());
        double sum = 0;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             DataInputStream in = new DataInputStream(new ByteArrayInputStream(head.weights()))) {
            block.loadParameters(manager, in);
            for (var parameter : block.getParameters()) {
                if (parameter.getKey().endsWith("weight")) {
                    for (float v : parameter.getValue().getArray().toFloatArray()) {
                        sum += (double) v * v;
                    }
                }
            }
        }
        return Math.sqrt(sum);
    }

    @Test
    void earlyStoppingKeepsTheEpochWithTheLowestValidationLoss() {
        // Labels unrelated to the features: validation loss can only get worse once the head starts to memorise.
        List<Row> noise = SyntheticEmbeddings.rows("t", 60, 2, DIM, 0.0, 8);
        HeadTrainingSettings patient = new HeadTrainingSettings(List.of(64, 32, 16), 0.0, 40, 8,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 3e-3, 3e-3, 2, 1), 11, 3, 0);

        TrainedHead head = trainer.train(vectors(noise.subList(0, 90)), vectors(noise.subList(90, 120)), patient,
                EpochObserver.NONE);

        assertThat(head.stoppedEarly()).isTrue();
        assertThat(head.epochs().size()).isLessThan(40);
        assertThat(head.epochs().size()).isEqualTo(head.bestEpoch() + 3);
        double best = head.epochs().get(head.bestEpoch() - 1).validationLoss();
        assertThat(head.epochs()).allSatisfy(m -> assertThat(m.validationLoss()).isGreaterThanOrEqualTo(best));
    }

    static LabelledVectors vectors(List<Row> rows) {
        return LabelledVectors.of(rows, Row::vector, Row::covid);
    }
}
