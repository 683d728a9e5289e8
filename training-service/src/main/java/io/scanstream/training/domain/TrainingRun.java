package io.scanstream.training.domain;

import io.scanstream.core.artifact.EpochMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's progress, written by the run's thread and read by the API: state, current epoch and the latest
 * epoch's figures, then the outcome. Thread-safe; {@link #status()} is a consistent snapshot.
 */
public final class TrainingRun {

    public enum State { QUEUED, RUNNING, FINISHED }

    /** What {@code GET /training/runs/{id}} returns. */
    public record Status(String id, TrainingMode mode, RunTrigger trigger, State state, RunOutcome outcome,
                         int epoch, int epochs, EpochMetrics latest, List<EpochMetrics> history,
                         Instant queuedAt, Instant startedAt, Instant finishedAt, Integer trainingSetSize,
                         Double validationAuc, String version, String detail, String reportUri) {
    }

    private final String id;
    private final TrainingMode mode;
    private final RunTrigger trigger;
    private final Instant queuedAt;
    private State state = State.QUEUED;
    private RunOutcome outcome;
    private int epoch;
    private int epochs;
    private final List<EpochMetrics> history = new ArrayList<>();
    private Instant startedAt;
    private Instant finishedAt;
    private Integer trainingSetSize;
    private Double validationAuc;
    private String version;
    private String detail;
    private String reportUri;

    public TrainingRun(String id, TrainingMode mode, RunTrigger trigger, Instant queuedAt) {
        this.id = id;
        this.mode = mode;
        this.trigger = trigger;
        this.queuedAt = queuedAt;
    }

    public String id() {
        return id;
    }

    public TrainingMode mode() {
        return mode;
    }

    public RunTrigger trigger() {
        return trigger;
    }

    public synchronized void started(Instant at, int totalEpochs) {
        state = State.RUNNING;
        startedAt = at;
        epochs = totalEpochs;
    }

    /** When it started running, or null while queued. */
    public synchronized Instant startedAt() {
        return startedAt;
    }

    public synchronized void trainingSet(int size) {
        trainingSetSize = size;
    }

    public synchronized void epochFinished(EpochMetrics metrics) {
        epoch = metrics.epoch();
        history.add(metrics);
    }

    public synchronized void reportAt(String uri) {
        reportUri = uri;
    }

    public synchronized void finished(Instant at, RunOutcome result, String resultVersion, Double auc, String why) {
        state = State.FINISHED;
        finishedAt = at;
        outcome = result;
        version = resultVersion;
        validationAuc = auc;
        detail = why;
    }

    public synchronized boolean isFinished() {
        return state == State.FINISHED;
    }

    public synchronized Status status() {
        return new Status(id, mode, trigger, state, outcome, epoch, epochs,
                history.isEmpty() ? null : history.get(history.size() - 1), List.copyOf(history), queuedAt, startedAt,
                finishedAt, trainingSetSize, validationAuc, version, detail, reportUri);
    }
}
