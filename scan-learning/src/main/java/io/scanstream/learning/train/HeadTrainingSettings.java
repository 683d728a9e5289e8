package io.scanstream.learning.train;

import io.scanstream.core.artifact.HeadArchitecture;

import java.util.List;

/**
 * How the head is trained: Adam on binary cross-entropy, a cyclical learning rate, dropout, a fixed seed for
 * initialisation, shuffling and dropout masks. Built from configuration by
 * {@code io.scanstream.learning.settings.TrainerSettings}, where the defaults live.
 *
 * @param hiddenWidths      hidden layer widths (powers of two)
 * @param dropout           dropout between layers
 * @param epochs            passes over the training split
 * @param batchSize         examples per optimiser step
 * @param learningRate      the cyclical schedule
 * @param seed              initialisation, shuffling, dropout
 * @param earlyStopPatience epochs without a lower validation loss before stopping (keeping the best epoch); 0 = off
 * @param weightDecay       L2 penalty Adam adds to every weight's gradient (0 = none)
 */
public record HeadTrainingSettings(List<Integer> hiddenWidths, double dropout, int epochs, int batchSize,
                                   LearningRateSchedule learningRate, long seed, int earlyStopPatience,
                                   double weightDecay) {

    public HeadTrainingSettings {
        hiddenWidths = List.copyOf(hiddenWidths);
        if (epochs < 1 || batchSize < 1 || earlyStopPatience < 0 || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("epochs and batch size must be >= 1, patience and weight decay >= 0");
        }
    }

    /** The head these settings train on features of the given width (two logits: non-COVID, COVID). */
    public HeadArchitecture architecture(int featureDim) {
        return new HeadArchitecture(featureDim, hiddenWidths, dropout, 2);
    }

    public HeadTrainingSettings withEpochs(int newEpochs) {
        return new HeadTrainingSettings(hiddenWidths, dropout, newEpochs, batchSize, learningRate, seed,
                earlyStopPatience, weightDecay);
    }

    public HeadTrainingSettings withSeed(long newSeed) {
        return new HeadTrainingSettings(hiddenWidths, dropout, epochs, batchSize, learningRate, newSeed,
                earlyStopPatience, weightDecay);
    }

    public HeadTrainingSettings withWeightDecay(double newWeightDecay) {
        return new HeadTrainingSettings(hiddenWidths, dropout, epochs, batchSize, learningRate, seed,
                earlyStopPatience, newWeightDecay);
    }

    public HeadTrainingSettings withEarlyStopPatience(int newPatience) {
        return new HeadTrainingSettings(hiddenWidths, dropout, epochs, batchSize, learningRate, seed, newPatience,
                weightDecay);
    }
}
