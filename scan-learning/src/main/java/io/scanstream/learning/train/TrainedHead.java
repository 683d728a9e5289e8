package io.scanstream.learning.train;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.HeadArchitecture;

import java.util.List;

/**
 * A trained head: its architecture and weights (the bytes the model artifact carries, feature standardisation
 * included) and the per-epoch curves.
 *
 * @param bestEpoch the epoch whose weights these are (the last, unless early stopping kept an earlier one)
 * @param trainingMillis wall time of the epochs
 */
public record TrainedHead(HeadArchitecture architecture, byte[] weights, List<EpochMetrics> epochs, int bestEpoch,
                          boolean stoppedEarly, long trainingMillis) {

    public TrainedHead {
        epochs = List.copyOf(epochs);
    }
}
