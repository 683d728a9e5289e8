package io.scanstream.ingest.domain;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.imaging.PixelType;

/** What ingest made of one record: exactly one of these is published per record. */
public sealed interface IngestOutcome permits IngestOutcome.Accepted, IngestOutcome.Rejected {

    String scanId();

    /** Bytes of the payload as received, for the bytes-in metric. */
    int payloadBytes();

    /**
     * @param differingSubject for a DICOM scan whose {@code ce_subject} names another patient than its PatientID:
     *                         the pseudonym of that {@code ce_subject} (PatientID wins; the disagreement is counted
     *                         and logged); null otherwise
     * @param position         the record it came from ({@link IncomingScan#position()}); null when unknown
     */
    record Accepted(ScanPreprocessed scan, PixelType sourcePixelType, int payloadBytes, String differingSubject,
                    String position) implements IngestOutcome {

        @Override
        public String scanId() {
            return scan.scanId();
        }
    }

    record Rejected(ScanRejected rejection, int payloadBytes) implements IngestOutcome {
        @Override
        public String scanId() {
            return rejection.scanId();
        }
    }
}
