package io.scanstream.training.domain;

/** What a run trains. */
public enum TrainingMode {
    /** The head on cached embeddings of the frozen backbone (seconds); publishes versions. */
    HEAD,
    /** Backbone and head on the labelled preprocessed scans (hours on a CPU); writes a new backbone artifact. */
    FULL_NETWORK
}
