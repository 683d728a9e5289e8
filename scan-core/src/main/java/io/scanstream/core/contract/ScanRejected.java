package io.scanstream.core.contract;

import java.util.Objects;

/**
 * {@code scans.rejected}: why a scan will get no prediction.
 *
 * @param scanId the scan id ({@code ce_id} of the arrived event, or a placeholder naming the record's
 *               partition and offset when the id itself is missing)
 * @param source the device URI, or null when the record did not carry one
 * @param reason the reason code
 * @param detail a human-readable explanation for the operator and the device owner
 * @param stage  the service that gave up on the scan, e.g. {@code ingest}
 */
public record ScanRejected(String scanId, String source, RejectionReason reason, String detail, String stage) {

    public ScanRejected {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(stage, "stage");
    }
}
