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

    /**
     * What the training set keeps while it waits for the other half of an example ("pending"): both expire after
     * their own age ({@code training.pending.*}); a labelled example (label and scan) never expires.
     */
    enum PendingKind {
        /** A scan (its facts and embeddings) no label has come for yet. */
        UNLABELLED_SCAN,
        /** A label for a scan the training set has not seen (neither its embedding nor its preprocessed record). */
        ORPHAN_LABEL
    }

    /** Why a pending entry was dropped. */
    enum ExpiryReason {
        /** Older than its kind's time to live (in stream time). */
        AGE,
        /** The oldest, evicted to keep a partition's pending entries under {@code training.pending.max-entries}. */
        CAP
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

    /**
     * A stream task (one partition of the topics) now holds {@code count} pending entries of a kind: told when the
     * task opens with its restored store, at each change, and (0) when it closes. The latest count per task is what
     * it holds, whatever closes went unreported (a crashed task reopens under the same id).
     */
    default void pendingCount(String task, PendingKind kind, long count) {
    }

    /** A pending entry was dropped from the stores (and their changelogs), and why. */
    default void expired(PendingKind kind, ExpiryReason reason, String scanId) {
    }

    /** An event that changed nothing, and why. */
    default void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
    }
}
