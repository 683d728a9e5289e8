package io.scanstream.training.domain;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts labels that joined or changed the training set since the last run started, and says when enough have
 * arrived to start another ({@code training.trigger.every-labels}; 0 = never by count).
 */
public final class LabelTrigger {

    private final int everyLabels;
    private final AtomicLong sinceLastRun = new AtomicLong();

    public LabelTrigger(int everyLabels) {
        if (everyLabels < 0) {
            throw new IllegalArgumentException("every-labels must be >= 0, got " + everyLabels);
        }
        this.everyLabels = everyLabels;
    }

    /** Records one new or changed label; true when the count has reached the threshold. */
    public boolean labelArrived() {
        return labelsArrived(1);
    }

    /** Records {@code count} new or changed labels; true when the count has reached the threshold. */
    public boolean labelsArrived(long count) {
        return reached(sinceLastRun.addAndGet(count));
    }

    /**
     * Raises the count to at least {@code count} (start-up catch-up: labels counted live since start-up are among
     * those the catch-up counts in the store, so the two must not be added); true when the threshold is reached.
     */
    public boolean atLeast(long count) {
        return reached(sinceLastRun.accumulateAndGet(count, Math::max));
    }

    /** Whether a run should start now (e.g. re-checked when the previous run finishes). */
    public boolean due() {
        return reached(sinceLastRun.get());
    }

    /** A run started: its snapshot holds the labels counted so far. */
    public long runStarted() {
        return sinceLastRun.getAndSet(0);
    }

    /**
     * The run that took {@code taken} labels ({@link #runStarted}'s answer) failed: they count again, so that the
     * next label or the schedule starts another run rather than the failure swallowing its trigger.
     */
    public void runFailed(long taken) {
        if (taken > 0) {
            sinceLastRun.addAndGet(taken);
        }
    }

    public long sinceLastRun() {
        return sinceLastRun.get();
    }

    private boolean reached(long count) {
        return everyLabels > 0 && count >= everyLabels;
    }
}
