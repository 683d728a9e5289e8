package io.scanstream.learning.train;

import io.scanstream.core.artifact.EpochMetrics;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keeps the weights of the epoch with the lowest validation loss and stops once {@code patience} epochs have
 * passed without a lower one (0 = off: nothing kept, never stops). Without validation rows it does nothing.
 */
final class EarlyStopping<W> implements EpochLoop.Listener {

    private final int patience;
    private final Supplier<W> snapshot;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private W bestWeights;
    private int bestEpoch;
    private boolean stopped;

    /** @param snapshot a copy of the current weights (taken only when an epoch improves) */
    EarlyStopping(int patience, Supplier<W> snapshot) {
        this.patience = patience;
        this.snapshot = snapshot;
    }

    @Override
    public boolean afterEpoch(EpochMetrics metrics, int epochs) {
        if (patience == 0 || metrics.validationLoss() == null) {
            return true;
        }
        if (metrics.validationLoss() < bestLoss) {
            bestLoss = metrics.validationLoss();
            bestWeights = snapshot.get();
            bestEpoch = metrics.epoch();
        } else if (metrics.epoch() - bestEpoch >= patience) {
            stopped = true;
            return false;
        }
        return true;
    }

    /** The best epoch's weights, when early stopping was on. */
    Optional<W> bestWeights() {
        return Optional.ofNullable(bestWeights);
    }

    int bestEpoch() {
        return bestEpoch;
    }

    boolean stopped() {
        return stopped;
    }
}
