package io.scanstream.training.domain;

/** How a training run ended. */
public enum RunOutcome {
    /** A new version was published to models.published (and, for fine-tuning, its backbone to models.backbones). */
    PUBLISHED,
    /** Trained and evaluated, but it did not beat the champion: nothing published. */
    GATED_OUT,
    /** Too few examples, or a class missing from a side of the split: nothing trained. */
    INSUFFICIENT_DATA,
    /** An error; see the run's error. */
    FAILED
}
