package io.scanstream.core.contract;

/** The reason codes of {@code scans.rejected} (contract v1). */
public enum RejectionReason {
    /** Not PNG or JPEG (judged from the bytes), or a content-type the service does not take. */
    UNSUPPORTED_FORMAT,
    /** The bytes claim a supported format but do not decode: truncated, empty, damaged. */
    CORRUPT_IMAGE,
    /** Payload bytes or declared pixel dimensions above the configured limits. */
    TOO_LARGE,
    /** A required CloudEvents attribute or header is absent or blank. */
    MISSING_ATTRIBUTE,
    /** The same scan id was already accepted with the same content: a re-delivery, ignored. */
    DUPLICATE,
    /**
     * The scan id was already accepted for different content: an id reused. Refused so that the first scan's
     * preprocessed image, embedding and label are never replaced by (or lent to) other bytes.
     */
    ID_REUSED,
    /** The service failed for a reason that is not the scan's fault. */
    INTERNAL
}
