package io.scanstream.review.domain;

import io.scanstream.core.contract.ClinicalLabel;

import java.time.OffsetDateTime;
import java.util.Objects;

/** A label as read back from {@code scans.labels}: the latest one of a scan wins. */
public record RecordedLabel(ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt) {

    public RecordedLabel {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(labelledAt, "labelledAt");
    }
}
