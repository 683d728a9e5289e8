package io.scanstream.learning.train;

import io.scanstream.core.artifact.EpochMetrics;

/** Told after every epoch: run progress, the per-epoch log line, the current-epoch gauge. */
@FunctionalInterface
public interface EpochObserver {

    EpochObserver NONE = (metrics, epochs) -> { };

    void epochFinished(EpochMetrics metrics, int epochs);

}
