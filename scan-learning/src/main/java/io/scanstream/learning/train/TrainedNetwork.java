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
 * @param validationScores P(COVID) of each validation image, in the order given
 * @param stoppedByBudget  the time budget ended training before the configured epochs
 */
public record TrainedNetwork(BackboneArchitecture architecture, byte[] backboneParameters, HeadArchitecture head,
                             byte[] headWeights, List<EpochMetrics> epochs, double[] validationScores,
                             long trainingMillis, boolean stoppedByBudget) {

    public TrainedNetwork {
        epochs = List.copyOf(epochs);
    }
}
