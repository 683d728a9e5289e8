package io.scanstream.learning.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.scanstream.core.artifact.EpochMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * The one epoch loop of both trainers. Each epoch shuffles the training rows with the run's seeded generator
 * (the same permutation carried over from epoch to epoch), takes minibatches in that order (forward, binary
 * cross-entropy, backward, optimiser step), then scores the validation rows in inference mode (dropout off,
 * batch-norm statistics fixed) and tells the listeners, any of which may end training: progress reporting, early
 * stopping, a time budget. Training figures are those of the epoch's minibatches (dropout on, weights moving);
 * accuracy counts P(COVID) &ge; 0.5 as COVID.
 */
final class EpochLoop {

    /** A data set the loop draws minibatches from. */
    interface Rows {
        int size();

        boolean covid(int row);

        /** The given rows, in that order, as one input tensor (the network's first dimension is the batch). */
        NDArray batch(NDManager manager, int[] rows);
    }

    /** Told after every epoch. */
    @FunctionalInterface
    interface Listener {
        /** @return false to stop training after this epoch */
        boolean afterEpoch(EpochMetrics metrics, int epochs);
    }

    /** The curves, and P(COVID) of every validation row after the last epoch (in row order). */
    record Outcome(List<EpochMetrics> epochs, double[] validationScores) {
    }

    /** Loss, accuracy and P(COVID) of a data set in inference mode. */
    record Scores(double loss, double accuracy, double[] covid) {
    }

    private final Trainer trainer;
    private final int batchSize;
    private final int scoringBatchSize;
    private final CyclicLearningRate schedule;

    /**
     * @param scoringBatchSize rows per forward pass when scoring validation (inference only: may exceed batchSize)
     */
    EpochLoop(Trainer trainer, int batchSize, int scoringBatchSize, CyclicLearningRate schedule) {
        this.trainer = trainer;
        this.batchSize = batchSize;
        this.scoringBatchSize = scoringBatchSize;
        this.schedule = schedule;
    }

    /** Reports every epoch to the observer and never stops training (an observer that throws does). */
    static Listener reporting(EpochObserver observer) {
        return (metrics, epochs) -> {
            observer.epochFinished(metrics, epochs);
            return true;
        };
    }

    /** Minibatches per epoch for {@code n} rows. */
    static int iterationsPerEpoch(int n, int batchSize) {
        return (n + batchSize - 1) / batchSize;
    }

    Outcome run(Rows train, Rows validation, int epochs, long seed, List<Listener> listeners) {
        Random shuffle = new Random(seed);
        int[] order = identity(train.size());
        List<EpochMetrics> curves = new ArrayList<>();
        double[] validationScores = new double[validation.size()];
        int updates = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            shuffle(order, shuffle);
            double lossSum = 0;
            int correct = 0;
            for (int from = 0; from < order.length; from += batchSize) {
                int[] rows = java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
                double[] lossAndCorrect = step(train, rows);
                lossSum += lossAndCorrect[0];
                correct += (int) lossAndCorrect[1];
                updates++;
            }
            Double validationLoss = null;
            Double validationAccuracy = null;
            if (validation.size() > 0) {
                Scores scores = score(validation);
                validationLoss = scores.loss();
                validationAccuracy = scores.accuracy();
                validationScores = scores.covid();
            }
            EpochMetrics metrics = new EpochMetrics(epoch, lossSum / order.length, (double) correct / order.length,
                    validationLoss, validationAccuracy, schedule.at(updates));
            curves.add(metrics);
            if (!tell(listeners, metrics, epochs)) {
                break;
            }
        }
        return new Outcome(curves, validationScores);
    }

    /** One minibatch: forward, loss, backward, optimiser step. Returns the summed loss and the correct count. */
    private double[] step(Rows train, int[] rows) {
        float[] targets = targets(train, rows);
        try (NDManager batch = trainer.getManager().newSubManager()) {
            NDArray input = train.batch(batch, rows);
            double loss;
            int correct;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                NDArray batchLoss = trainer.getLoss().evaluate(new NDList(batch.create(targets)), new NDList(logits));
                collector.backward(batchLoss);
                loss = batchLoss.getFloat() * rows.length;
                correct = correct(logits.toFloatArray(), targets);
            }
            trainer.step();
            return new double[] {loss, correct};
        }
    }

    /** Mean loss, accuracy and P(COVID) per row, in inference mode. */
    Scores score(Rows data) {
        double lossSum = 0;
        int correct = 0;
        double[] covid = new double[data.size()];
        for (int from = 0; from < data.size(); from += scoringBatchSize) {
            int[] rows = range(from, Math.min(data.size(), from + scoringBatchSize));
            float[] targets = targets(data, rows);
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray logits = trainer.evaluate(new NDList(data.batch(batch, rows))).singletonOrThrow();
                lossSum += trainer.getLoss().evaluate(new NDList(batch.create(targets)), new NDList(logits)).getFloat()
                        * rows.length;
                correct += correct(logits.toFloatArray(), targets);
                float[] p = logits.softmax(1).get(new NDIndex(":, 1")).toFloatArray();
                for (int i = 0; i < rows.length; i++) {
                    covid[from + i] = p[i];
                }
            }
        }
        return new Scores(lossSum / data.size(), (double) correct / data.size(), covid);
    }

    /** Rows whose predicted class (COVID when l1 &ge; l0, i.e. P &ge; 0.5) matches the target. */
    static int correct(float[] logits, float[] targets) {
        int correct = 0;
        for (int i = 0; i < targets.length; i++) {
            boolean covid = logits[2 * i + 1] >= logits[2 * i];
            if (covid == (targets[i] > 0.5f)) {
                correct++;
            }
        }
        return correct;
    }

    private static boolean tell(List<Listener> listeners, EpochMetrics metrics, int epochs) {
        boolean goOn = true;
        for (Listener listener : listeners) {
            goOn &= listener.afterEpoch(metrics, epochs);
        }
        return goOn;
    }

    private static float[] targets(Rows data, int[] rows) {
        float[] targets = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            targets[i] = data.covid(rows[i]) ? 1f : 0f;
        }
        return targets;
    }

    static int[] identity(int n) {
        return range(0, n);
    }

    private static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    /** Fisher–Yates, in place (also the contrastive pretrainer's, which shuffles a fresh identity each epoch). */
    static void shuffle(int[] order, RandomGenerator random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
