package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;

/** Told what the topology did with each event: metrics, logs and the every-N-labels trigger. */
public interface TrainingSetListener {

    TrainingSetListener NONE = new TrainingSetListener() { };

    /** How a row of the training set came about. */
    enum JoinPath {
        /** The label arrived after the embedding. */
        LABEL_AFTER_EMBEDDING,
        /** The embedding arrived after the label (the label waited). */
        EMBEDDING_AFTER_LABEL,
        /** The embedding was computed here from scans.preprocessed (no embedding of this backbone existed). */
        RECOMPUTED
    }

    /** A new row. */
    default void joined(String scanId, ClinicalLabel label, JoinPath path) {
    }

    /** A newer label changed a row's label. */
    default void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
    }

    /** A row left the training set (label or embedding deleted by a tombstone). */
    default void removed(String scanId) {
    }

    /** An event that changed nothing, and why (e.g. OTHER_BACKBONE, STALE_LABEL, INVALID). */
    default void ignored(String topic, String reason, String scanId, String detail) {
    }
}
