package io.scanstream.training.orchestration;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
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
import io.scanstream.training.run.FullNetworkRunPipeline;
import io.scanstream.training.run.HeadRunPipeline;
import io.scanstream.training.run.LabelledImages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
    private final Backbone backbone;
    private final TrainingSet trainingSet;
    private final ScanImages images;
    private final RunPipelines pipelines;
    private final RunObserver observer;
    private final LabelTrigger labelTrigger;
    private final RunRegistry registry = new RunRegistry(KEPT_RUNS);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-run");
        t.setDaemon(true);
        return t;
    });
    private TrainingRun active;
    private volatile boolean stopping;

    public TrainingCoordinator(TrainingConfig config, Backbone backbone, TrainingSet trainingSet, ScanImages images,
                               RunPipelines pipelines, RunObserver observer) {
        this.config = config;
        this.backbone = backbone;
        this.trainingSet = trainingSet;
        this.images = images;
        this.pipelines = pipelines;
        this.observer = observer;
        this.labelTrigger = new LabelTrigger(config.trigger().everyLabels());
    }

    void started(@Observes StartupEvent event) {
        LOG.infof("training.started model=%s backbone=%s reports=%s everyLabels=%d interval=%s gate=%s/%s",
                config.model().name(), backbone.id(), pipelines.reports().root(), config.trigger().everyLabels(),
                config.trigger().interval(), config.gate().enabled() ? "on" : "off", config.gate().metric());
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
        labelTrigger.runStarted();
        executor.execute(() -> execute(run));
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

    public long labelsSinceLastRun() {
        return labelTrigger.sinceLastRun();
    }

    /** A label joined or changed the training set (on the stream thread: must not block). */
    void labelArrived() {
        if (labelTrigger.labelArrived()) {
            start(TrainingMode.HEAD, RunTrigger.LABELS);
        }
    }

    private void execute(TrainingRun run) {
        long start = System.nanoTime();
        observer.runStarted(run);
        EpochObserver epochs = (m, total) -> {
            if (stopping) {
                throw new CancellationException("service stopping");
            }
            observer.epochFinished(run, m, total);
        };
        try {
            if (run.mode() == TrainingMode.HEAD) {
                HeadRunPipeline.Result r = pipelines.head().run(run, trainingSet.snapshot(STORE_WAIT), epochs);
                finished(run, start, r.outcome(), r.version(), r.validationAuc(), r.detail());
            } else {
                FullNetworkRunPipeline.Result r = pipelines.fullNetwork().run(run,
                        LabelledImages.of(trainingSet.snapshot(STORE_WAIT), images), epochs);
                finished(run, start, r.outcome(), null, r.validationAuc(), r.detail());
            }
        } catch (Exception | Error e) {
            run.finished(Instant.now(), RunOutcome.FAILED, null, null, e.toString());
            if (!(e instanceof CancellationException)) {
                LOG.errorf(e, "training.run.error run=%s", run.id());
            }
            finished(run, start, RunOutcome.FAILED, null, null, e.toString());
        }
    }

    private void finished(TrainingRun run, long startNanos, RunOutcome outcome, String version, Double auc,
                          String detail) {
        observer.runFinished(run, outcome, Duration.ofNanos(System.nanoTime() - startNanos), version, auc, detail);
        synchronized (this) {
            active = null;
        }
        if (!stopping && labelTrigger.due()) {
            start(TrainingMode.HEAD, RunTrigger.LABELS); // labels kept arriving during the run
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
