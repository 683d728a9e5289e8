package io.scanstream.training.domain;

import io.scanstream.core.contract.ClinicalLabel;

/**
 * What the training set's topology did with each event, for those who react to it: the every-N-labels trigger,
 * metrics and logs. Called on the stream thread: implementations must not block.
 */
public interface TrainingSetEvents {

    TrainingSetEvents NONE = new TrainingSetEvents() { };

    /** How a row of the training set came about. */
    enum JoinPath {
        /** The label arrived after the embedding. */
        LABEL_AFTER_EMBEDDING,
        /** The embedding arrived after the label (the label waited). */
        EMBEDDING_AFTER_LABEL,
        /** The embedding was computed here from scans.preprocessed (no embedding of this backbone existed). */
        RECOMPUTED
    }

    /** Why an event changed nothing. */
    enum IgnoredReason {
        /** An embedding or label of another backbone than the configured one. */
        OTHER_BACKBONE,
        /** A label older than the one the row has. */
        STALE_LABEL,
        /** An event that does not decode. */
        INVALID,
        /** A record whose key differs from the scan id it carries. */
        KEY_MISMATCH,
        /** An embedding whose width is not the backbone's. */
        WRONG_DIMENSION,
        /** The embedding of a labelled scan could not be computed from its preprocessed image. */
        RECOMPUTE_FAILED
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

    /** An event that changed nothing, and why. */
    default void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
    }
}
