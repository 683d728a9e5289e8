package io.scanstream.training.domain;

/** What started a run. */
public enum RunTrigger {
    /** {@code training.trigger.every-labels} (or {@code training.fine-tune.every-labels}) new or changed labels. */
    LABELS,
    /** {@code training.trigger.interval} (or {@code training.fine-tune.interval}). */
    SCHEDULE,
    /** {@code POST /training/runs}. */
    API
}
