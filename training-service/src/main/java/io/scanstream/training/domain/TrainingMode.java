package io.scanstream.training.domain;

/** What a run trains. */
public enum TrainingMode {
    /** The head on cached embeddings of the backbone in service (seconds); publishes head versions. */
    HEAD,
    /**
     * Fine-tuning: the backbone in service trained further on the labelled preprocessed scans, then frozen with a
     * head trained on its embeddings (minutes on a CPU); publishes the backbone and a version that refers to it.
     */
    FULL_NETWORK
}
