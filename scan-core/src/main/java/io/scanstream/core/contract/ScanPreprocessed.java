package io.scanstream.core.contract;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * {@code scans.preprocessed} (internal): the model input of an accepted scan, uint8 grey at the model's input
 * size, about 50 KB for 224x224.
 *
 * @param scanId           the scan id
 * @param device           the device URI the scan came from
 * @param acquiredAt       acquisition time (also {@code ce_time}, so latency is measured from acquisition)
 * @param patientPseudonym keyed pseudonym of the patient, or null when the device sent no patient reference
 * @param contentSha256    sha256 of the bytes as acquired (hex), for de-duplication downstream
 * @param sourceFormat     the format the bytes were in
 * @param sourceWidth      width before resizing
 * @param sourceHeight     height before resizing
 * @param image            the preprocessed image
 * @param origin           the arrival's origin (site, study, publication), or null
 */
public record ScanPreprocessed(String scanId, URI device, OffsetDateTime acquiredAt, String patientPseudonym,
                               String contentSha256, ImageFormat sourceFormat, int sourceWidth, int sourceHeight,
                               GreyImage image, String origin) {

    /** A scan without an origin. */
    public ScanPreprocessed(String scanId, URI device, OffsetDateTime acquiredAt, String patientPseudonym,
                            String contentSha256, ImageFormat sourceFormat, int sourceWidth, int sourceHeight,
                            GreyImage image) {
        this(scanId, device, acquiredAt, patientPseudonym, contentSha256, sourceFormat, sourceWidth, sourceHeight,
                image, null);
    }

    public ScanPreprocessed {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(acquiredAt, "acquiredAt");
        Objects.requireNonNull(contentSha256, "contentSha256");
        Objects.requireNonNull(sourceFormat, "sourceFormat");
        Objects.requireNonNull(image, "image");
        origin = Origin.checked(origin);
    }
}
