package io.scanstream.learning.train;

import io.scanstream.core.artifact.EpochMetrics;

import java.time.Duration;

/**
 * Starts no epoch that would end after the budget, judging by the epoch just finished: CPU training is slow, and
 * the epochs done so far are worth keeping.
 */
final class TimeBudget implements EpochLoop.Listener {

    private final long budgetNanos;
    private final long runStart;
    private long epochStart = System.nanoTime();
    private boolean exhausted;

    /** @param runStart {@link System#nanoTime()} when the run began (the budget covers its preparation too) */
    TimeBudget(Duration budget, long runStart) {
        this.budgetNanos = budget.toNanos();
        this.runStart = runStart;
    }

    @Override
    public boolean afterEpoch(EpochMetrics metrics, int epochs) {
        long now = System.nanoTime();
        long epochTime = now - epochStart;
        epochStart = now;
        if (metrics.epoch() < epochs && now - runStart + epochTime > budgetNanos) {
            exhausted = true;
            return false;
        }
        return true;
    }

    boolean exhausted() {
        return exhausted;
    }
}
