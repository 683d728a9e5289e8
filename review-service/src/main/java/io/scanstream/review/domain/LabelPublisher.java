package io.scanstream.review.domain;

import io.scanstream.core.contract.ScanLabel;

/** Port: puts a label on {@code scans.labels}; returns once the broker has acknowledged it. */
public interface LabelPublisher {

    /** @throws LabelNotRecordedException when the broker did not take it */
    void publish(ScanLabel label);

    final class LabelNotRecordedException extends RuntimeException {
        public LabelNotRecordedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
