package io.scanstream.review.domain;

import io.scanstream.core.contract.PredictedLabel;

import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * One scan as the worklist shows it: the prediction, the device and image location from the preprocessed record,
 * and the label once it is on {@code scans.labels}. Immutable; the view replaces a row when an event adds to it.
 *
 * @param probability  P(COVID), null while no model version served
 * @param threshold    the threshold the label was decided with, null while no model version served
 * @param device       the device URI from the preprocessed record, null until that record has been read
 * @param image        where the image is, null until the preprocessed record has been read
 * @param label        the recorded label, null while unlabelled
 */
public record ScanRow(String scanId, PredictedLabel predicted, Double probability, Double threshold,
                      String modelVersion, String backbone, OffsetDateTime acquiredAt, OffsetDateTime predictedAt,
                      String device, ImageLocation image, RecordedLabel label) {

    public boolean labelled() {
        return label != null;
    }

    public Optional<ImageLocation> imageLocation() {
        return Optional.ofNullable(image);
    }

    /**
     * How far P(COVID) lies from the threshold the version decided with: the smaller, the more a label teaches the
     * model. Rows without a probability sort last.
     */
    public double uncertainty() {
        if (probability == null) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs(probability - (threshold == null ? 0.5 : threshold));
    }

    ScanRow withDevice(String device, ImageLocation image) {
        return new ScanRow(scanId, predicted, probability, threshold, modelVersion, backbone, acquiredAt, predictedAt,
                device, image, label);
    }

    ScanRow withLabel(RecordedLabel label) {
        return new ScanRow(scanId, predicted, probability, threshold, modelVersion, backbone, acquiredAt, predictedAt,
                device, image, label);
    }
}
