package io.scanstream.training.training;

import java.util.List;

/**
 * How the head is trained (DESIGN section 4): Adam on binary cross-entropy, a cyclical learning rate, dropout,
 * a fixed seed for initialisation, shuffling and dropout masks.
 *
 * @param hiddenWidths      hidden layer widths (powers of two)
 * @param dropout           dropout between layers
 * @param epochs            passes over the training split
 * @param batchSize         examples per optimiser step
 * @param mode              cyclical policy
 * @param baseLearningRate  lowest rate
 * @param maxLearningRate   highest rate
 * @param stepSizeEpochs    half a cycle, in epochs
 * @param gamma             EXP_RANGE decay per iteration
 * @param seed              initialisation, shuffling, dropout
 * @param earlyStopPatience epochs without a lower validation loss before stopping (keeping the best epoch); 0 = off
 * @param weightDecay       L2 penalty Adam adds to every weight's gradient (0 = none, the seed's method)
 */
public record HeadTrainingSettings(List<Integer> hiddenWidths, double dropout, int epochs, int batchSize,
                                   CyclicLearningRate.Mode mode, double baseLearningRate, double maxLearningRate,
                                   double stepSizeEpochs, double gamma, long seed, int earlyStopPatience,
                                   double weightDecay) {

    public HeadTrainingSettings {
        hiddenWidths = List.copyOf(hiddenWidths);
        if (epochs < 1 || batchSize < 1 || earlyStopPatience < 0 || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("epochs and batch size must be >= 1, patience and weight decay >= 0");
        }
    }

    /** The service's defaults (application.properties repeats them): the seed's method. */
    public static HeadTrainingSettings defaults() {
        return new HeadTrainingSettings(List.of(512, 256, 128), 0.5, 30, 32, CyclicLearningRate.Mode.TRIANGULAR,
                1e-4, 1e-3, 4, 0.999, 7, 0, 0);
    }

    public HeadTrainingSettings withEpochs(int newEpochs) {
        return new HeadTrainingSettings(hiddenWidths, dropout, newEpochs, batchSize, mode, baseLearningRate,
                maxLearningRate, stepSizeEpochs, gamma, seed, earlyStopPatience, weightDecay);
    }

    public HeadTrainingSettings withSeed(long newSeed) {
        return new HeadTrainingSettings(hiddenWidths, dropout, epochs, batchSize, mode, baseLearningRate,
                maxLearningRate, stepSizeEpochs, gamma, newSeed, earlyStopPatience, weightDecay);
    }

    public HeadTrainingSettings withWeightDecay(double newWeightDecay) {
        return new HeadTrainingSettings(hiddenWidths, dropout, epochs, batchSize, mode, baseLearningRate,
                maxLearningRate, stepSizeEpochs, gamma, seed, earlyStopPatience, newWeightDecay);
    }

    public CyclicLearningRate schedule(int iterationsPerEpoch) {
        return CyclicLearningRate.inEpochs(mode, baseLearningRate, maxLearningRate, stepSizeEpochs, iterationsPerEpoch,
                gamma);
    }
}
