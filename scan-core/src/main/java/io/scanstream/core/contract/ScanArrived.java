package io.scanstream.core.contract;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A scan as a device publishes it on {@code scans.arrived}: the image bytes as acquired.
 *
 * @param scanId      {@code ce_id}; also the record key
 * @param device      {@code ce_source}, the device URI, e.g. {@code /devices/ct-7}
 * @param acquiredAt  {@code ce_time}, the acquisition time
 * @param patientRef  {@code ce_subject}, the raw patient reference, or null. Ingest pseudonymises it; it must
 *                    never reach a log or another topic, hence not part of {@link #toString()}
 * @param contentType the declared media type ({@code image/png}, {@code image/jpeg})
 * @param image       the encoded image bytes
 * @param origin      {@code ce_origin}, optional: where the image comes from in the sense of what its images share
 *                    (a site, a study, a publication), or null. Validation keeps one origin on one side
 *                    ({@link Origin})
 */
public record ScanArrived(String scanId, URI device, OffsetDateTime acquiredAt, String patientRef,
                          String contentType, byte[] image, String origin) {

    public ScanArrived {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(acquiredAt, "acquiredAt");
        Objects.requireNonNull(image, "image");
        origin = Origin.checked(origin);
    }

    /** A scan without an origin. */
    public ScanArrived(String scanId, URI device, OffsetDateTime acquiredAt, String patientRef, String contentType,
                       byte[] image) {
        this(scanId, device, acquiredAt, patientRef, contentType, image, null);
    }

    public Optional<String> patient() {
        return Optional.ofNullable(patientRef);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanArrived other && scanId.equals(other.scanId) && device.equals(other.device)
                && acquiredAt.isEqual(other.acquiredAt) && Objects.equals(patientRef, other.patientRef)
                && Objects.equals(contentType, other.contentType) && Arrays.equals(image, other.image)
                && Objects.equals(origin, other.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scanId, device, acquiredAt.toInstant(), patientRef, contentType) * 31 + Arrays.hashCode(image);
    }

    @Override
    public String toString() {
        return "ScanArrived[scanId=" + scanId + ", device=" + device + ", acquiredAt=" + acquiredAt
                + ", contentType=" + contentType + ", bytes=" + image.length + ", origin=" + origin + "]";
    }
}
