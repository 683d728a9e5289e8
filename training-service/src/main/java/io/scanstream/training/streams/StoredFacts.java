package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;

import java.time.OffsetDateTime;
import java.util.Objects;

/** What the topology's stores hold besides joined examples: the half of a join still waiting for its other half. */
public final class StoredFacts {

    private StoredFacts() {
    }

    /** A label whose scan has no embedding of the configured backbone yet. */
    public record PendingLabel(ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt) {
        public PendingLabel {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(labelledAt, "labelledAt");
        }
    }

    /** An embedding of the configured backbone whose scan has no label yet. */
    public record UnlabelledEmbedding(String patient, String origin, float[] vector) {
        public UnlabelledEmbedding {
            Objects.requireNonNull(vector, "vector");
        }
    }

    /** A preprocessed scan without an embedding of the configured backbone: kept to compute one when labelled. */
    public record PendingImage(String patient, String origin, GreyImage image) {
        public PendingImage {
            Objects.requireNonNull(image, "image");
        }
    }
}
