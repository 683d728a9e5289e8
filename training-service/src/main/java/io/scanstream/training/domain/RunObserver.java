package io.scanstream.training.domain;

import io.scanstream.core.artifact.EpochMetrics;

import java.time.Duration;

/** Told what runs do: metrics and the per-run log lines. */
public interface RunObserver {

    RunObserver NONE = new RunObserver() { };

    default void runStarted(TrainingRun run) {
    }

    default void epochFinished(TrainingRun run, EpochMetrics metrics, int epochs) {
    }

    /** @param version the published version, or null; {@code validationAuc} null when undefined */
    default void runFinished(TrainingRun run, RunOutcome outcome, Duration took, String version, Double validationAuc,
                             String detail) {
    }

    default void versionPublished(String version) {
    }
}
