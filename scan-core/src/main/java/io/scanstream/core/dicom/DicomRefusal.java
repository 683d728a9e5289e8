package io.scanstream.core.dicom;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;

/**
 * Internal to this package: unwinds the reader and the decoders to their single exit point, where it becomes a
 * {@link Rejection} value ({@link DicomResult.Refused}).
 */
final class DicomRefusal extends RuntimeException {

    private final Rejection rejection;

    private DicomRefusal(Rejection rejection) {
        super(rejection.detail(), null, false, false);
        this.rejection = rejection;
    }

    Rejection rejection() {
        return rejection;
    }

    static DicomRefusal corrupt(String detail) {
        return new DicomRefusal(Rejection.of(RejectionReason.CORRUPT_IMAGE, "DICOM: " + detail));
    }

    static DicomRefusal unsupported(String detail) {
        return new DicomRefusal(Rejection.of(RejectionReason.UNSUPPORTED_FORMAT, "DICOM: " + detail));
    }

    static DicomRefusal tooLarge(String detail) {
        return new DicomRefusal(Rejection.of(RejectionReason.TOO_LARGE, "DICOM: " + detail));
    }

    static DicomRefusal missing(String detail) {
        return new DicomRefusal(Rejection.of(RejectionReason.MISSING_ATTRIBUTE, "DICOM: " + detail));
    }
}
