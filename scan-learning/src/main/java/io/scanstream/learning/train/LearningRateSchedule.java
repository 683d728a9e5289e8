package io.scanstream.learning.train;

/**
 * Smith's cyclical learning rate as configured, in epochs; {@link #inIterations} turns it into the per-update
 * schedule of one run once the number of minibatches per epoch is known.
 *
 * @param mode           the cyclical policy
 * @param base           lowest rate
 * @param max            highest rate
 * @param stepSizeEpochs half a cycle, in epochs
 * @param gamma          EXP_RANGE's per-iteration decay of the amplitude (1 = none)
 */
public record LearningRateSchedule(CyclicLearningRate.Mode mode, double base, double max, double stepSizeEpochs,
                                   double gamma) {

    public CyclicLearningRate inIterations(int iterationsPerEpoch) {
        return CyclicLearningRate.inEpochs(mode, base, max, stepSizeEpochs, iterationsPerEpoch, gamma);
    }
}
