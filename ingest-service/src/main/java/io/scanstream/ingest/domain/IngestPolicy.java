package io.scanstream.ingest.domain;

import io.scanstream.core.dicom.DicomWindowing;
import io.scanstream.core.imaging.DecodeLimits;

/**
 * The knobs of the ingest pipeline, free of framework types.
 *
 * @param limits             payload and pixel limits checked before decoding
 * @param strictContentType  reject a scan whose declared content-type disagrees with its bytes (a misconfigured
 *                           device); when false, the bytes win and the scan is accepted
 * @param dedupeCapacity     how many accepted scan ids are remembered for duplicate detection
 * @param dicomWindowing     how DICOM pixels (Hounsfield units) become grey
 */
public record IngestPolicy(DecodeLimits limits, boolean strictContentType, int dedupeCapacity,
                           DicomWindowing dicomWindowing) {

    public IngestPolicy(DecodeLimits limits, boolean strictContentType, int dedupeCapacity) {
        this(limits, strictContentType, dedupeCapacity, DicomWindowing.DEFAULT);
    }
}
