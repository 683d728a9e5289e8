package io.scanstream.learning.train;

import ai.djl.training.tracker.CyclicalTracker;
import ai.djl.training.tracker.Tracker;

/**
 * Smith's cyclical learning rate ("Cyclical Learning Rates for Training Neural Networks", 2017) as DJL's
 * {@link CyclicalTracker}: the rate climbs linearly from {@code base} to {@code max} over {@code stepSize}
 * iterations and falls back over as many; TRIANGULAR repeats that, TRIANGULAR2 halves the amplitude every cycle,
 * EXP_RANGE multiplies it by {@code gamma^iteration}. DJL's Adam asks for the rate of update {@code k} (1-based)
 * with {@code getNewValue(k)}.
 *
 * @param mode     the policy
 * @param base     lowest rate
 * @param max      highest rate (reached at iteration stepSize, 3·stepSize, ...)
 * @param stepSize half a cycle, in iterations (optimiser steps)
 * @param gamma    EXP_RANGE's per-iteration decay of the amplitude
 */
public record CyclicLearningRate(Mode mode, double base, double max, int stepSize, double gamma) {

    public enum Mode {
        TRIANGULAR(CyclicalTracker.CyclicalMode.TRIANGULAR),
        TRIANGULAR2(CyclicalTracker.CyclicalMode.TRIANGULAR2),
        EXP_RANGE(CyclicalTracker.CyclicalMode.EXP_RANGE);

        private final CyclicalTracker.CyclicalMode djl;

        Mode(CyclicalTracker.CyclicalMode djl) {
            this.djl = djl;
        }
    }

    public CyclicLearningRate {
        if (!(base > 0) || !(max >= base)) {
            throw new IllegalArgumentException("need 0 < base <= max, got base=" + base + " max=" + max);
        }
        if (stepSize < 1) {
            throw new IllegalArgumentException("step size must be >= 1 iteration, got " + stepSize);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
        }
    }

    /**
     * @param stepSizeEpochs half a cycle in epochs (Smith: 2 to 10 epochs' worth of iterations)
     * @param iterationsPerEpoch optimiser steps per epoch
     */
    public static CyclicLearningRate inEpochs(Mode mode, double base, double max, double stepSizeEpochs,
                                              int iterationsPerEpoch, double gamma) {
        int stepSize = (int) Math.max(1, Math.round(stepSizeEpochs * iterationsPerEpoch));
        return new CyclicLearningRate(mode, base, max, stepSize, gamma);
    }

    /** A new tracker (trackers are cheap and stateless; one per optimiser). */
    public Tracker tracker() {
        return CyclicalTracker.builder()
                .optBaseValue((float) base)
                .optMaxValue((float) max)
                .optStepSizeUp(stepSize)
                .optStepSizeDown(stepSize)
                .optMode(mode.djl)
                .optGamma((float) gamma)
                .build();
    }

    /** The rate DJL's optimiser uses for update number {@code iteration}. */
    public double at(int iteration) {
        return tracker().getNewValue(iteration);
    }
}
