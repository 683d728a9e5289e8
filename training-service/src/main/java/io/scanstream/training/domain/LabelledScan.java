package io.scanstream.training.domain;

import io.scanstream.core.contract.ClinicalLabel;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A clinician's label of a scan with what splits group by (its patient and origin, when known), whatever backbone
 * embeds it: the training set is the labelled scans; their embeddings depend on the backbone a run trains on.
 */
public record LabelledScan(String scanId, ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt,
                           String patient, String origin, String device) {

    public LabelledScan {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(labelledAt, "labelledAt");
    }

    /** This labelled scan as a training row with the embedding of {@code backboneId}. */
    public TrainingExample withEmbedding(String backboneId, float[] vector) {
        return new TrainingExample(scanId, label, labelledBy, labelledAt, patient, backboneId, vector, origin);
    }
}
