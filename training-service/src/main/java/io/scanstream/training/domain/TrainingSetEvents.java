package io.scanstream.training.domain;

import io.scanstream.core.contract.ClinicalLabel;

/**
 * What the training set's topology did with each event, for those who react to it: the every-N-labels trigger,
 * metrics and logs. Called on the stream thread: implementations must not block.
 */
public interface TrainingSetEvents {

    TrainingSetEvents NONE = new TrainingSetEvents() { };

    /** Why an event changed nothing. */
    enum IgnoredReason {
        /** A label older than the one the scan has. */
        STALE_LABEL,
        /** An event that does not decode. */
        INVALID,
        /** A record whose key differs from the scan id it carries. */
        KEY_MISMATCH,
        /** A record the rules failed on (an unexpected exception); it went to the dead-letter topic. */
        FAILED
    }

    /** A scan got its first label. */
    default void labelled(String scanId, ClinicalLabel label) {
    }

    /** A newer label changed a scan's label. */
    default void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
    }

    /** A label was deleted (a tombstone): the scan left the training set. */
    default void removed(String scanId) {
    }

    /** An embedding of a backbone arrived (from inference, or computed by a run). */
    default void embedded(String scanId, String backboneId) {
    }

    /** An event that changed nothing, and why. */
    default void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
    }
}
