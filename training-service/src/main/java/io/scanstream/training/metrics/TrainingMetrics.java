package io.scanstream.training.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.service.logging.LoggedIds;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunObserver;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingSetEvents;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Training meters (Prometheus names): {@code scanstream_training_runs_started_total{mode,trigger}},
 * {@code _runs_completed_total{mode,outcome}} (outcome: published, gated_out, insufficient_data, failed), {@code _run_duration_seconds{mode}}, {@code _run_active}, {@code _current_epoch},
 * {@code _last_validation_auc}, {@code _set_size} (labelled scans, RocksDB's estimate),
 * {@code _labels_received_total}, {@code _labels_relabelled_total}, {@code _embeddings_received_total},
 * {@code _events_ignored_total{reason}}, {@code _pending_entries{kind}} (what waits for its other half: unlabelled_scan,
 * orphan_label), {@code _pending_expired_total{kind,reason}} (reason: age, cap),
 * {@code _versions_published_total}. Also the topology's and the runs' log lines, one per event that matters.
 */
@ApplicationScoped
public class TrainingMetrics implements RunObserver, TrainingSetEvents {

    private static final Logger LOG = Logger.getLogger(TrainingMetrics.class);

    private final MeterRegistry registry;
    private final AtomicInteger currentEpoch = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicReference<Double> lastAuc = new AtomicReference<>(Double.NaN);
    private final Counter relabelled;
    private final Counter labelsReceived;
    private final Counter embeddingsReceived;
    private final Counter published;
    private final TrainingSet trainingSet;
    /** Pending entries per kind and stream task: the gauge sums the tasks. */
    private final java.util.Map<PendingKind, java.util.Map<String, Long>> pending =
            new java.util.EnumMap<>(PendingKind.class);

    public TrainingMetrics(MeterRegistry registry, TrainingSet trainingSet) {
        this.registry = registry;
        this.trainingSet = trainingSet;
        registry.gauge("scanstream.training.current.epoch", currentEpoch);
        registry.gauge("scanstream.training.run.active", active);
        registry.gauge("scanstream.training.last.validation.auc", Tags.empty(), lastAuc, a -> a.get());
        relabelled = Counter.builder("scanstream.training.labels.relabelled")
                .description("Labels that changed a training-set row's label").register(registry);
        published = Counter.builder("scanstream.training.versions.published")
                .description("Head versions published to models.published").register(registry);
        registry.gauge("scanstream.training.set.size", Tags.empty(), this, m -> m.trainingSet.approximateSize());
        labelsReceived = Counter.builder("scanstream.training.labels.received")
                .description("Scans labelled for the first time").register(registry);
        embeddingsReceived = Counter.builder("scanstream.training.embeddings.received")
                .description("Embeddings kept for the training set (any backbone)").register(registry);
        for (RunOutcome outcome : RunOutcome.values()) {
            completedCounter(TrainingMode.HEAD, outcome);
        }
        for (PendingKind kind : PendingKind.values()) {
            java.util.Map<String, Long> byTask = new java.util.concurrent.ConcurrentHashMap<>();
            pending.put(kind, byTask);
            Gauge.builder("scanstream.training.pending.entries", byTask,
                            m -> m.values().stream().mapToLong(Long::longValue).sum()).tag("kind", tag(kind))
                    .description("Pending entries of the training set (waiting for a label, or for their scan)")
                    .register(registry);
            for (ExpiryReason reason : ExpiryReason.values()) {
                expiredCounter(kind, reason);
            }
        }
    }

    @Override
    public void pendingCount(String task, PendingKind kind, long count) {
        pending.get(kind).put(task, count);
    }

    @Override
    public void expired(PendingKind kind, ExpiryReason reason, String scanId) {
        expiredCounter(kind, reason).increment();
        LOG.debugf("training-set.expired kind=%s reason=%s scanId=%s", kind, reason, LoggedIds.scan(scanId));
    }

    private Counter expiredCounter(PendingKind kind, ExpiryReason reason) {
        return Counter.builder("scanstream.training.pending.expired").tags("kind", tag(kind), "reason", tag(reason))
                .description("Pending entries dropped from the training set, by kind and reason").register(registry);
    }

    @Override
    public void runStarted(TrainingRun run) {
        active.set(1);
        currentEpoch.set(0);
        Counter.builder("scanstream.training.runs.started").tags("mode", tag(run.mode()), "trigger", tag(run.trigger()))
                .description("Training runs started").register(registry).increment();
        LOG.infof("training.run.started run=%s mode=%s trigger=%s", run.id(), run.mode(), run.trigger());
    }

    @Override
    public void epochFinished(TrainingRun run, EpochMetrics m, int epochs) {
        currentEpoch.set(m.epoch());
        LOG.infof("training.epoch run=%s epoch=%d/%d trainLoss=%.4f trainAccuracy=%.4f validationLoss=%s"
                        + " validationAccuracy=%s learningRate=%.6g", run.id(), m.epoch(), epochs, m.trainLoss(),
                m.trainAccuracy(), format(m.validationLoss()), format(m.validationAccuracy()), m.learningRate());
    }

    @Override
    public void runFinished(TrainingRun run, RunOutcome outcome, Duration took, String version, Double validationAuc,
                            String detail) {
        String runId = run.id();
        TrainingMode mode = run.mode();
        active.set(0);
        completedCounter(mode, outcome).increment();
        Timer.builder("scanstream.training.run.duration").tag("mode", tag(mode))
                .description("Training run wall time").register(registry).record(took);
        if (validationAuc != null) {
            lastAuc.set(validationAuc);
        }
        String line = String.format(java.util.Locale.ROOT,
                "training.run.finished run=%s mode=%s outcome=%s version=%s validationAuc=%s took=%.1fs detail=\"%s\"",
                runId, mode, outcome, version, format(validationAuc), took.toMillis() / 1000.0, detail);
        if (outcome == RunOutcome.FAILED) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    @Override
    public void versionPublished(String version) {
        published.increment();
    }

    @Override
    public void labelled(String scanId, ClinicalLabel label) {
        labelsReceived.increment();
        LOG.debugf("label.received scanId=%s", LoggedIds.scan(scanId));
    }

    @Override
    public void embedded(String scanId, String backboneId) {
        embeddingsReceived.increment();
    }

    @Override
    public void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
        relabelled.increment();
        LOG.infof("label.changed scanId=%s", LoggedIds.scan(scanId)); // never the diagnosis next to the id
    }

    @Override
    public void removed(String scanId) {
        LOG.infof("training-set.removed scanId=%s", LoggedIds.scan(scanId));
    }

    @Override
    public void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
        Counter.builder("scanstream.training.events.ignored").tags("reason", reason.name())
                .description("Events that changed nothing in the training set").register(registry).increment();
        LOG.infof("event.ignored topic=%s reason=%s scanId=%s detail=\"%s\"", topic, reason, LoggedIds.scan(scanId),
                detail);
    }

    private Counter completedCounter(TrainingMode mode, RunOutcome outcome) {
        return Counter.builder("scanstream.training.runs.completed").tags("mode", tag(mode), "outcome", tag(outcome))
                .description("Training runs finished, by outcome").register(registry);
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String format(Double value) {
        return value == null ? "none" : String.format(java.util.Locale.ROOT, "%.4f", value);
    }
}
