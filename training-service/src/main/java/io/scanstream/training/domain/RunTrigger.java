package io.scanstream.training.domain;

/** What started a run. */
public enum RunTrigger {
    /** {@code training.trigger.every-labels} new or changed labels joined the training set. */
    LABELS,
    /** {@code training.trigger.interval}. */
    SCHEDULE,
    /** {@code POST /training/runs}. */
    API
}
