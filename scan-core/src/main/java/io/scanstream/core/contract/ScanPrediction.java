package io.scanstream.core.contract;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * {@code scans.predictions}: one per accepted scan.
 *
 * @param scanId       the scan id
 * @param label        COVID, NON_COVID, or UNDETERMINED while no model version exists
 * @param probability  probability of COVID in [0, 1]; null when UNDETERMINED
 * @param threshold    the operating threshold the label was decided with; null when UNDETERMINED
 * @param modelVersion the head version; null when UNDETERMINED
 * @param backbone     the backbone id, e.g. {@code mobilenet_v2:5f7ccb5c} or {@code resnet34:random}
 * @param acquiredAt   acquisition time of the scan
 * @param predictedAt  when the prediction was made
 */
public record ScanPrediction(String scanId, PredictedLabel label, Double probability, Double threshold,
                             String modelVersion, String backbone, OffsetDateTime acquiredAt,
                             OffsetDateTime predictedAt) {

    public ScanPrediction {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(backbone, "backbone");
        if (label == PredictedLabel.UNDETERMINED && (probability != null || modelVersion != null)) {
            throw new IllegalArgumentException("an UNDETERMINED prediction has no probability and no model version");
        }
        if (label != PredictedLabel.UNDETERMINED) {
            Objects.requireNonNull(probability, "probability");
            Objects.requireNonNull(modelVersion, "modelVersion");
            if (probability < 0 || probability > 1 || probability.isNaN()) {
                throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
            }
        }
    }

    public static ScanPrediction undetermined(String scanId, String backbone, OffsetDateTime acquiredAt,
                                              OffsetDateTime predictedAt) {
        return new ScanPrediction(scanId, PredictedLabel.UNDETERMINED, null, null, null, backbone, acquiredAt, predictedAt);
    }
}
