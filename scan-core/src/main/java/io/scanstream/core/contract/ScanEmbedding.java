package io.scanstream.core.contract;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code scans.embeddings} (internal): the frozen backbone's feature vector of a scan. Training fits the head on
 * these instead of re-running the backbone every epoch.
 *
 * @param scanId           the scan id
 * @param device           the device URI
 * @param acquiredAt       acquisition time
 * @param patientPseudonym keyed patient pseudonym or null (training splits by it)
 * @param backboneId       the backbone that computed the vector ({@code name:sha256-prefix})
 * @param vector           the features, float32
 */
public record ScanEmbedding(String scanId, URI device, OffsetDateTime acquiredAt, String patientPseudonym,
                            String backboneId, float[] vector, String origin) {

    public ScanEmbedding {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(acquiredAt, "acquiredAt");
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(vector, "vector");
        origin = Origin.checked(origin);
    }

    /** An embedding of a scan without an origin. */
    public ScanEmbedding(String scanId, URI device, OffsetDateTime acquiredAt, String patientPseudonym,
                         String backboneId, float[] vector) {
        this(scanId, device, acquiredAt, patientPseudonym, backboneId, vector, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanEmbedding other && scanId.equals(other.scanId) && device.equals(other.device)
                && acquiredAt.isEqual(other.acquiredAt) && Objects.equals(patientPseudonym, other.patientPseudonym)
                && backboneId.equals(other.backboneId) && Arrays.equals(vector, other.vector)
                && Objects.equals(origin, other.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scanId, backboneId) * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "ScanEmbedding[scanId=" + scanId + ", backbone=" + backboneId + ", dim=" + vector.length + "]";
    }
}
