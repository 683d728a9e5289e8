package io.scanstream.core.synthetic;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;

/**
 * A generated scan, encoded as a device would send it, with the ground truth the simulated clinician knows.
 *
 * @param scanId     a stable id derived from the generator's seed and the index
 * @param patientRef a synthetic patient reference (several scans per patient, one label per patient)
 * @param label      the ground truth
 * @param format     PNG or JPEG
 * @param pixelType  the pixel layout the bytes carry
 * @param width      width in pixels
 * @param height     height in pixels
 * @param bytes      the encoded image
 */
public record SyntheticScan(String scanId, String patientRef, ClinicalLabel label, ImageFormat format,
                            PixelType pixelType, int width, int height, byte[] bytes) {

    public String contentType() {
        return format.mediaType();
    }

    @Override
    public String toString() {
        return "SyntheticScan[" + scanId + ", " + label + ", " + format + " " + pixelType + " " + width + "x" + height + "]";
    }
}
