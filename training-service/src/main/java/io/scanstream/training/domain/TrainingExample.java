package io.scanstream.training.domain;

import io.scanstream.core.contract.ClinicalLabel;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row of the training set: a clinician's label joined with the scan's embedding.
 *
 * @param scanId     the scan id
 * @param label      the latest label
 * @param labelledBy who gave it (may be null)
 * @param labelledAt when; an older label never replaces a newer one
 * @param patient    the patient pseudonym, or null when the device sent none (the scan is then its own patient)
 * @param backboneId the backbone that computed the vector
 * @param vector     the embedding
 * @param origin     the scan's origin (site, study, publication: what its images share), or null
 */
public record TrainingExample(String scanId, ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt,
                              String patient, String backboneId, float[] vector, String origin) {

    /** A row of a scan without an origin. */
    public TrainingExample(String scanId, ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt,
                           String patient, String backboneId, float[] vector) {
        this(scanId, label, labelledBy, labelledAt, patient, backboneId, vector, null);
    }

    public TrainingExample {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(labelledAt, "labelledAt");
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(vector, "vector");
    }

    /** What splits group by: the patient, or the scan itself when the patient is unknown. */
    public String splitKey() {
        return patient != null ? patient : "scan:" + scanId;
    }

    public boolean covid() {
        return label == ClinicalLabel.COVID;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExample other && scanId.equals(other.scanId) && label == other.label
                && Objects.equals(labelledBy, other.labelledBy) && labelledAt.isEqual(other.labelledAt)
                && Objects.equals(patient, other.patient) && backboneId.equals(other.backboneId)
                && Arrays.equals(vector, other.vector) && Objects.equals(origin, other.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scanId, label, backboneId) * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "TrainingExample[" + scanId + ", " + label + ", backbone=" + backboneId + ", dim=" + vector.length + "]";
    }
}
