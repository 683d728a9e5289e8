package io.scanstream.core.contract;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * {@code scans.labels}: a clinician's label for a scan. The latest label of a scan wins.
 *
 * @param scanId     the scan id
 * @param label      COVID or NON_COVID
 * @param labelledBy who labelled it (a clinician id from the clinicians' tool)
 * @param labelledAt when
 */
public record ScanLabel(String scanId, ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt) {

    public ScanLabel {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(labelledAt, "labelledAt");
    }
}
