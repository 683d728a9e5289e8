package io.scanstream.training.training;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.training.config.TrainingBackbone;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.ChampionChallengerGate;
import io.scanstream.training.domain.LabelTrigger;
import io.scanstream.training.domain.LabelledImage;
import io.scanstream.training.domain.PatientSplitter;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.messaging.ModelPublisher;
import io.scanstream.training.messaging.PreprocessedScans;
import io.scanstream.training.messaging.PublishedModels;
import io.scanstream.training.metrics.TrainingMetrics;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.streams.TrainingSetView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts training runs and runs them one at a time on a thread of their own: on demand (the API), every N new
 * labels (the topology tells), and on a schedule (skipped when no label joined or changed since the last run). Keeps the
 * recent runs' progress for the API. The runs themselves are {@link HeadRunPipeline} and
 * {@link FullNetworkRunPipeline}, plain Java; this class is the framework glue.
 */
@ApplicationScoped
public class TrainingCoordinator {

    private static final Logger LOG = Logger.getLogger(TrainingCoordinator.class);
    private static final int KEPT_RUNS = 100;
    private static final Duration STORE_WAIT = Duration.ofSeconds(60);

    private final TrainingConfig config;
    private final Instance<TrainingBackbone> backbone;
    private final Instance<TrainingSetView> view;
    private final ModelPublisher publisher;
    private final PublishedModels champions;
    private final PreprocessedScans preprocessed;
    private final TrainingMetrics metrics;
    private final ReportStore reports;
    private final LabelTrigger labelTrigger;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-run");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, TrainingRun> runs = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TrainingRun> eldest) {
            return size() > KEPT_RUNS;
        }
    });
    private TrainingRun active;
    private volatile boolean stopping;

    public TrainingCoordinator(TrainingConfig config, Instance<TrainingBackbone> backbone,
                               Instance<TrainingSetView> view, ModelPublisher publisher, PublishedModels champions,
                               PreprocessedScans preprocessed, TrainingMetrics metrics) {
        this.config = config;
        this.backbone = backbone;
        this.view = view;
        this.publisher = publisher;
        this.champions = champions;
        this.preprocessed = preprocessed;
        this.metrics = metrics;
        this.reports = new ReportStore(config.reports().dir());
        this.labelTrigger = new LabelTrigger(config.trigger().everyLabels());
    }

    void started(@Observes StartupEvent event) {
        metrics.bindTrainingSetSize(() -> view.get().approximateSize());
        LOG.infof("training.started model=%s backbone=%s reports=%s everyLabels=%d interval=%s gate=%s/%s",
                config.model().name(), backbone.get().backboneId(), reports.root(), config.trigger().everyLabels(),
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
        runs.put(run.id(), run);
        active = run;
        labelTrigger.runStarted();
        executor.execute(() -> execute(run));
        return Optional.of(run);
    }

    public synchronized Optional<TrainingRun> active() {
        return active != null && !active.isFinished() ? Optional.of(active) : Optional.empty();
    }

    public Optional<TrainingRun> find(String id) {
        return Optional.ofNullable(runs.get(id));
    }

    /** Latest first. */
    public List<TrainingRun> recent() {
        List<TrainingRun> all;
        synchronized (runs) {
            all = new ArrayList<>(runs.values());
        }
        Collections.reverse(all);
        return all;
    }

    public ReportStore reports() {
        return reports;
    }

    public long labelsSinceLastRun() {
        return labelTrigger.sinceLastRun();
    }

    /** A label joined or changed the training set (called on the stream thread: must not block). */
    public void labelArrived() {
        if (labelTrigger.labelArrived()) {
            start(TrainingMode.HEAD, RunTrigger.LABELS);
        }
    }

    /** Only when labels joined or changed since the last run started: the same data would train the same head. */
    @Scheduled(every = "${training.trigger.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (labelTrigger.sinceLastRun() > 0) {
            start(TrainingMode.HEAD, RunTrigger.SCHEDULE);
        } else {
            LOG.debugf("training.schedule.skipped reason=\"no label changed since the last run\"");
        }
    }

    private void execute(TrainingRun run) {
        long start = System.nanoTime();
        metrics.runStarted(run.id(), run.mode(), run.trigger());
        RunOutcome outcome;
        String version = null;
        Double auc = null;
        String detail;
        EpochObserver observer = (m, epochs) -> {
            if (stopping) {
                throw new CancellationException("service stopping");
            }
            metrics.epoch(run.id(), m, epochs);
        };
        try {
            if (run.mode() == TrainingMode.HEAD) {
                HeadRunPipeline.Result result = headPipeline().run(run, view.get().snapshot(STORE_WAIT), observer);
                outcome = result.outcome();
                version = result.version();
                auc = result.validationAuc();
                detail = result.detail();
            } else {
                FullNetworkRunPipeline.Result result = fullNetworkPipeline().run(run, labelledImages(), observer);
                outcome = result.outcome();
                auc = result.validationAuc();
                detail = result.detail();
            }
        } catch (Exception | Error e) {
            outcome = RunOutcome.FAILED;
            detail = e.toString();
            run.finished(Instant.now(), RunOutcome.FAILED, null, null, detail);
            if (!(e instanceof CancellationException)) {
                LOG.errorf(e, "training.run.error run=%s", run.id());
            }
        }
        metrics.runFinished(run.id(), run.mode(), outcome, Duration.ofNanos(System.nanoTime() - start), version, auc,
                detail);
        synchronized (this) {
            active = null;
        }
        if (!stopping && labelTrigger.due()) {
            start(TrainingMode.HEAD, RunTrigger.LABELS); // labels kept arriving during the run
        }
    }

    private HeadRunPipeline headPipeline() {
        TrainingConfig.Head h = config.head();
        TrainingConfig.LearningRate lr = config.learningRate();
        HeadTrainingSettings head = new HeadTrainingSettings(h.hiddenWidths(), h.dropout(), h.epochs(), h.batchSize(),
                lr.mode(), lr.base(), lr.max(), lr.stepSizeEpochs(), lr.gamma(), h.seed(), h.earlyStopPatience(),
                h.weightDecay());
        Map<String, Object> reported = new LinkedHashMap<>();
        reported.put("validationFraction", config.validation().fraction());
        reported.put("validationSeed", config.validation().seed());
        reported.put("gate", Map.of("enabled", config.gate().enabled(), "metric", config.gate().metric(),
                "minImprovement", config.gate().minImprovement()));
        TrainingBackbone b = backbone.get();
        HeadRunPipeline.Settings settings = new HeadRunPipeline.Settings(config.model().name(), b.backboneId(),
                b.featureDim(), head, splitter(), config.validation().minExamples(),
                new ChampionChallengerGate(config.gate().enabled(), config.gate().metric(),
                        config.gate().minImprovement()), reported);
        return new HeadRunPipeline(settings, new HeadTrainer(), reports, champions, publisher, Clock.systemUTC());
    }

    private FullNetworkRunPipeline fullNetworkPipeline() {
        TrainingConfig.FullNetwork f = config.fullNetwork();
        TrainingConfig.Head h = config.head();
        FullNetworkSettings network = new FullNetworkSettings(backbone.get().architecture(), f.initialisation(),
                config.model().backboneWeights(), h.hiddenWidths(), h.dropout(), f.epochs(), f.batchSize(),
                config.learningRate().mode(), f.baseLearningRate(), f.maxLearningRate(), f.stepSizeEpochs(),
                h.seed(), f.imageSize(), f.augment(), f.timeBudget());
        return new FullNetworkRunPipeline(new FullNetworkRunPipeline.Settings(config.model().name(), network,
                splitter(), config.validation().minExamples()), new FullNetworkTrainer(), reports, Clock.systemUTC());
    }

    /** The training set's labelled scans with their preprocessed images from scans.preprocessed. */
    private List<LabelledImage> labelledImages() {
        Map<String, TrainingExample> labelled = view.get().snapshot(STORE_WAIT).stream()
                .collect(Collectors.toMap(TrainingExample::scanId, e -> e, (a, b) -> b, LinkedHashMap::new));
        Map<String, ScanPreprocessed> images = preprocessed.read(labelled.keySet());
        List<LabelledImage> out = new ArrayList<>();
        for (TrainingExample e : labelled.values()) {
            ScanPreprocessed scan = images.get(e.scanId());
            if (scan != null) {
                out.add(new LabelledImage(e.scanId(), e.label(), e.patient(), scan.image()));
            }
        }
        out.sort(java.util.Comparator.comparing(LabelledImage::scanId));
        return out;
    }

    private PatientSplitter splitter() {
        return new PatientSplitter(config.validation().fraction(), config.validation().seed());
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        executor.shutdown();
        try {
            // An epoch ends, the observer sees `stopping`, the run's DJL models close with their try-with-resources.
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warnf("training.stop run still busy after 30s; abandoning it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
