package io.scanstream.learning.data;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;

import java.util.Objects;

/**
 * A preprocessed scan with its label: what full-network training and the offline evaluation learn from.
 *
 * @param scanId  the scan id (or the file name in a data set folder)
 * @param label   ground truth
 * @param patient patient or source id, or null
 * @param image   the model input (8-bit grey)
 * @param origin  the site, study or publication the image comes from, or null
 */
public record LabelledImage(String scanId, ClinicalLabel label, String patient, GreyImage image, String origin) {

    public LabelledImage {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(image, "image");
    }

    /** An image without an origin. */
    public LabelledImage(String scanId, ClinicalLabel label, String patient, GreyImage image) {
        this(scanId, label, patient, image, null);
    }

    /** The same scan with another image (e.g. resized). */
    public LabelledImage withImage(GreyImage other) {
        return new LabelledImage(scanId, label, patient, other, origin);
    }

    public String splitKey() {
        return patient != null ? patient : "scan:" + scanId;
    }

    public boolean covid() {
        return label == ClinicalLabel.COVID;
    }
}
