package io.scanstream.training.domain;

/** How a training run ended. */
public enum RunOutcome {
    /** A new head version was published to models.published. */
    PUBLISHED,
    /** Trained and evaluated, but it did not beat the champion: nothing published. */
    GATED_OUT,
    /** Too few examples, or a class missing from a side of the split: nothing trained. */
    INSUFFICIENT_DATA,
    /** Full-network mode: a new backbone and its head were written as files (a deployment artifact). */
    ARTIFACTS_WRITTEN,
    /** An error; see the run's error. */
    FAILED
}
