package io.scanstream.learning.train;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.model.backbone.BackboneArchitecture;

import java.util.List;

/**
 * The result of full-network training: the backbone's parameters (a bare DJL parameter stream, which
 * {@code FeatureExtractors.load} accepts as a {@code .params} file), the head trained with it, the curves and the
 * jointly trained network's validation scores.
 *
 * @param validationScores P(COVID) of each validation image, in the order given (by the weights returned)
 * @param stoppedByBudget  the time budget ended training before the configured epochs
 * @param earlyStop        what early stopping did
 */
public record TrainedNetwork(BackboneArchitecture architecture, byte[] backboneParameters, HeadArchitecture head,
                             byte[] headWeights, List<EpochMetrics> epochs, double[] validationScores,
                             long trainingMillis, boolean stoppedByBudget, EarlyStopOutcome earlyStop) {

    /**
     * @param stoppingRows   training images held back to choose the epoch (0 when off or not possible)
     * @param epochOfWeights the epoch whose weights were returned (the last one without early stopping)
     * @param stopped        training ended before the configured epochs for want of improvement
     * @param note           why early stopping did not run although asked (e.g. a class missing a side), else null
     */
    public record EarlyStopOutcome(int stoppingRows, int epochOfWeights, boolean stopped, String note) {
    }

    public TrainedNetwork {
        epochs = List.copyOf(epochs);
    }
}
