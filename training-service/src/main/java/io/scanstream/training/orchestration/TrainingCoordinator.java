package io.scanstream.training.orchestration;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.service.memory.NativeHeap;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.EmbeddingSink;
import io.scanstream.training.domain.LabelTrigger;
import io.scanstream.training.domain.RunObserver;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.ScanImages;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.run.EmbeddedScans;
import io.scanstream.training.run.HeadRunPipeline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs training runs one at a time on a thread of their own, whoever asks (the API, the label count, the
 * schedule: {@link RunTriggers}), and keeps the recent runs for the API. The runs themselves are the plain-Java
 * pipelines of the {@code run} package, built by {@link RunPipelines}; this class is the lifecycle around them.
 */
@ApplicationScoped
public class TrainingCoordinator {

    private static final Logger LOG = Logger.getLogger(TrainingCoordinator.class);
    private static final int KEPT_RUNS = 100;
    private static final Duration STORE_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final TrainingConfig config;
    private final Backbones backbones;
    private final TrainingSet trainingSet;
    private final ScanImages images;
    private final EmbeddingSink embeddings;
    private final RunPipelines pipelines;
    private final RunObserver observer;
    private final Map<TrainingMode, LabelTrigger> labelTriggers;
    private final Set<TrainingMode> startedSinceBoot = EnumSet.noneOf(TrainingMode.class);
    private final RunRegistry registry = new RunRegistry(KEPT_RUNS);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-run");
        t.setDaemon(true);
        return t;
    });
    private TrainingRun active;
    private volatile boolean stopping;

    public TrainingCoordinator(TrainingConfig config, Backbones backbones, TrainingSet trainingSet,
                               ScanImages images, EmbeddingSink embeddings, RunPipelines pipelines,
                               RunObserver observer) {
        this.config = config;
        this.backbones = backbones;
        this.trainingSet = trainingSet;
        this.images = images;
        this.embeddings = embeddings;
        this.pipelines = pipelines;
        this.observer = observer;
        this.labelTriggers = new EnumMap<>(Map.of(
                TrainingMode.HEAD, new LabelTrigger(config.trigger().everyLabels()),
                TrainingMode.FULL_NETWORK, new LabelTrigger(config.fineTune().everyLabels())));
    }

    void started(@Observes StartupEvent event) {
        // A cap below one would fail every run at its start: refuse it at the service's start instead.
        if (config.runs().maxExamples() < 1 || config.runs().maxImages() < 1) {
            throw new IllegalArgumentException("training.runs.max-examples and training.runs.max-images must be at"
                    + " least 1, got " + config.runs().maxExamples() + " and " + config.runs().maxImages());
        }
        LOG.infof("training.started model=%s backbone=%s reports=%s everyLabels=%d interval=%s"
                        + " fineTuneEveryLabels=%d fineTuneInterval=%s gate=%s/%s", config.model().name(),
                backbones.info().id(), pipelines.reports().root(), config.trigger().everyLabels(),
                config.trigger().interval(), config.fineTune().everyLabels(), config.fineTune().interval(),
                config.gate().enabled() ? "on" : "off", config.gate().metric());
    }

    /**
     * Starts a run unless one is queued or running.
     *
     * @return the new run, or empty when another run is in progress (see {@link #active()})
     */
    public synchronized Optional<TrainingRun> start(TrainingMode mode, RunTrigger trigger) {
        if (stopping || active != null && !active.isFinished()) {
            return Optional.empty();
        }
        TrainingRun run = new TrainingRun(VersionNames.newRunId(), mode, trigger, Instant.now());
        registry.add(run);
        active = run;
        Map<TrainingMode, Long> taken = new EnumMap<>(TrainingMode.class);
        taken.put(TrainingMode.HEAD, labelTriggers.get(TrainingMode.HEAD).runStarted()); // fine-tuning trains a head too
        startedSinceBoot.add(TrainingMode.HEAD);
        if (mode == TrainingMode.FULL_NETWORK) {
            taken.put(TrainingMode.FULL_NETWORK, labelTriggers.get(TrainingMode.FULL_NETWORK).runStarted());
            startedSinceBoot.add(TrainingMode.FULL_NETWORK);
        }
        executor.execute(() -> execute(run, taken));
        return Optional.of(run);
    }

    public synchronized Optional<TrainingRun> active() {
        return active != null && !active.isFinished() ? Optional.of(active) : Optional.empty();
    }

    public Optional<TrainingRun> find(String id) {
        return registry.find(id);
    }

    /** Latest first. */
    public List<TrainingRun> recent() {
        return registry.recent();
    }

    public ReportStore reports() {
        return pipelines.reports();
    }

    /** New or changed labels since the last run of that mode started. */
    public long labelsSince(TrainingMode mode) {
        return labelTriggers.get(mode).sinceLastRun();
    }

    /** A label joined or changed the training set (on the stream thread: must not block). */
    void labelArrived() {
        labelTriggers.get(TrainingMode.HEAD).labelArrived();
        labelTriggers.get(TrainingMode.FULL_NETWORK).labelArrived();
        startWhatIsDue();
    }

    /**
     * Labels counted towards one mode's trigger at start-up: those the version (HEAD) or the backbone
     * (FULL_NETWORK) in service was not trained on, so that a run a restart interrupted starts again.
     */
    synchronized void caughtUp(TrainingMode mode, long count) {
        if (startedSinceBoot.contains(mode)) {
            return; // that run's snapshot held them; later ones are counted live
        }
        labelTriggers.get(mode).atLeast(count);
        startWhatIsDue();
    }

    /** Fine-tuning first: it trains a head as well. */
    private void startWhatIsDue() {
        if (labelTriggers.get(TrainingMode.FULL_NETWORK).due()) {
            start(TrainingMode.FULL_NETWORK, RunTrigger.LABELS);
        } else if (labelTriggers.get(TrainingMode.HEAD).due()) {
            start(TrainingMode.HEAD, RunTrigger.LABELS);
        }
    }

    private void execute(TrainingRun run, Map<TrainingMode, Long> taken) {
        long start = System.nanoTime();
        observer.runStarted(run);
        EpochObserver epochs = (m, total) -> {
            if (stopping) {
                throw new CancellationException("service stopping");
            }
            observer.epochFinished(run, m, total);
        };
        try {
            Backbone backbone = backbones.current();
            int cap = run.mode() == TrainingMode.HEAD ? config.runs().maxExamples() : config.runs().maxImages();
            TrainingSet.Snapshot snapshot = trainingSet.snapshot(backbone.id(), cap, STORE_WAIT);
            if (snapshot.leftOut() > 0) {
                LOG.infof("training.run.capped run=%s mode=%s kept=%d of=%d cap=%d (the newest labelled scans)",
                        run.id(), run.mode(), snapshot.size(), snapshot.labelledInSet(), cap);
            }
            HeadRunPipeline.Result r;
            if (run.mode() == TrainingMode.HEAD) {
                EmbeddedScans.Rows rows = EmbeddedScans.of(snapshot, backbone, images, embeddings);
                if (rows.computed() > 0 || rows.unavailable() > 0) {
                    LOG.infof("training.run.embedded run=%s backbone=%s computed=%d unavailable=%d", run.id(),
                            backbone.id(), rows.computed(), rows.unavailable());
                }
                r = pipelines.head(backbone).run(run, rows.rows(), epochs);
            } else {
                r = pipelines.fineTune(backbone).run(run, snapshot, images, backbone, epochs);
            }
            finished(run, start, r.outcome(), r.version(), r.validationAuc(), r.detail(), taken);
        } catch (Exception | Error e) {
            run.finished(Instant.now(), RunOutcome.FAILED, null, null, e.toString());
            if (!(e instanceof CancellationException)) {
                LOG.errorf(e, "training.run.error run=%s", run.id());
            }
            finished(run, start, RunOutcome.FAILED, null, null, e.toString(), taken);
        }
        if (run.mode() == TrainingMode.FULL_NETWORK) {
            // before the next run, which this single thread runs after this one
            NativeHeap.trim().ifPresent(report -> LOG.infof("training.native-heap.trimmed run=%s \"%s\"", run.id(),
                    report));
        }
    }

    private void finished(TrainingRun run, long startNanos, RunOutcome outcome, String version, Double auc,
                          String detail, Map<TrainingMode, Long> taken) {
        observer.runFinished(run, outcome, Duration.ofNanos(System.nanoTime() - startNanos), version, auc, detail);
        synchronized (this) {
            active = null;
            if (outcome == RunOutcome.FAILED) {
                // The failed run's labels count again: the next label or the schedule retries. Not at once: a
                // deterministic failure would otherwise loop; each new label (or schedule tick) is one retry.
                taken.forEach((mode, count) -> labelTriggers.get(mode).runFailed(count));
                LOG.infof("training.run.labels-kept run=%s mode=%s labels=%s; the next label or the schedule retries",
                        run.id(), run.mode(), taken);
                return;
            }
        }
        if (!stopping) {
            startWhatIsDue(); // labels kept arriving during the run
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        executor.shutdown();
        try {
            // An epoch ends, the observer sees `stopping`, the run's DJL models close with their try-with-resources.
            if (!executor.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warnf("training.stop run still busy after %s; abandoning it", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
