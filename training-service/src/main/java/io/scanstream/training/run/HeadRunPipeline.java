package io.scanstream.training.run;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.artifact.PreprocessingSpec;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.evaluate.GroupBootstrap;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.report.DataSummary;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.report.ReportPlots;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.TrainedHead;
import io.scanstream.learning.validation.ChampionChallengerGate;
import io.scanstream.learning.validation.GateDecision;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.ChampionSource;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.domain.VersionPublisher;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.report.RunReport;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One head run, start to finish, in plain Java: the training-set snapshot (rows of the backbone in service only)
 * → split by group (patient joined with origin, {@link GroupedSplitter}; scans the backbone was fine-tuned on stay
 * on the training side) → train → score with the head exactly as
 * inference will load it → evaluate on validation (threshold by Youden's J, group-bootstrap intervals) → score the
 * champion on the validation rows it was not trained on (its lineage) → gate ({@link ChampionChallengerGate}: a
 * paired test) → report and model card → publish with this head's lineage. The report is written before
 * publishing, so the version's {@code reportUri} and {@code cardUri} resolve as soon as inference sees it. Kafka
 * and HTTP stay outside: the champion and the publisher are ports.
 */
public final class HeadRunPipeline {

    /**
     * @param modelName         versions are published under it
     * @param backbone          the backbone of the version in service, which the head is trained on; rows and
     *                          champions of another backbone are left out; the version refers to it
     * @param featureDim        the backbone's feature width
     * @param backboneLineage   the scans the backbone was fine-tuned on: never validated on, part of the version's
     * @param minExamples       fewer rows: INSUFFICIENT_DATA
     * @param minGroupsPerClass fewer groups of a class on a side: INSUFFICIENT_DATA
     * @param thresholdRule     how the version's operating threshold is chosen on the validation rows
     * @param reported          settings copied into the report as they are
     */
    public record Settings(String modelName, BackboneRef backbone, int featureDim, ScanSet backboneLineage,
                           HeadTrainingSettings head, GroupedSplitter splitter, int minExamples,
                           int minGroupsPerClass, ChampionChallengerGate gate, GroupBootstrap intervals,
                           ThresholdRule thresholdRule, Map<String, Object> reported) {

        public String backboneId() {
            return backbone.id();
        }
    }

    /** How the run ended. */
    public record Result(RunOutcome outcome, String version, Double validationAuc, String detail, GateDecision gate) {
    }

    /** The trained head and its figures, before the gate: what the report and the artifact are made of. */
    private record Evaluated(TrainedHead head, List<TrainingExample> train, BinaryEvaluation validation,
                             GroupBootstrap.Figures intervals, BinaryEvaluation training, double seconds) {
    }

    private final Settings settings;
    private final HeadTrainer trainer;
    private final ReportStore reports;
    private final ChampionSource champions;
    private final VersionPublisher publisher;
    private final Clock clock;

    public HeadRunPipeline(Settings settings, HeadTrainer trainer, ReportStore reports, ChampionSource champions,
                           VersionPublisher publisher, Clock clock) {
        this.settings = settings;
        this.trainer = trainer;
        this.reports = reports;
        this.champions = champions;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** What splits group by: the patient and the origin of each row. */
    public static final GroupedSplitter.Keys<TrainingExample> KEYS =
            GroupedSplitter.Keys.of(TrainingExample::patient, TrainingExample::origin, TrainingExample::scanId);

    /**
     * What a fine-tuning run hands over once its network is trained: the head is then trained on the new
     * backbone's embeddings and judged here, by the same rules as any head.
     *
     * @param parentId       the backbone it was fine-tuned from (the champion's, usually)
     * @param parentVectors  the parent backbone's embedding of a scan (computed when asked): the champion is
     *                       scored on those
     * @param networkEpochs  the curves of the network's training (the report's plots)
     * @param described      the run's settings and artifacts, for the report
     * @param trainingMillis the network's training time
     * @param publish        publishes the backbone (and the embeddings under it), called before the version is
     */
    public record NewBackbone(String parentId, Function<String, float[]> parentVectors,
                              List<EpochMetrics> networkEpochs,
                              Map<String, Object> described, long trainingMillis, Runnable publish) {
    }

    /** A head run: the snapshot's rows of the backbone in service. */
    public Result run(TrainingRun run, List<TrainingExample> snapshot, EpochObserver observer) throws IOException {
        run.started(clock.instant(), settings.head().epochs());
        return finish(run, snapshot, observer, null);
    }

    /** The head part of a fine-tuning run: rows are the new backbone's embeddings ({@link #settings}' backbone). */
    public Result runOnNewBackbone(TrainingRun run, List<TrainingExample> rows, NewBackbone backbone)
            throws IOException {
        return finish(run, rows, EpochObserver.NONE, backbone);
    }

    private Result finish(TrainingRun run, List<TrainingExample> snapshot, EpochObserver observer,
                          NewBackbone fineTuned) throws IOException {
        Instant started = run.startedAt() != null ? run.startedAt() : clock.instant();
        List<TrainingExample> examples = snapshot.stream()
                .filter(e -> e.backboneId().equals(settings.backboneId()) && e.vector().length == settings.featureDim())
                .sorted(Comparator.comparing(TrainingExample::scanId))
                .toList();
        run.trainingSet(examples.size());
        RunReport.Builder report = RunReport.builder(run, settings.modelName(), settings.backboneId(), started)
                .settings(reportedSettings(fineTuned)).data(DataSummary.unsplit(examples.size()));
        if (examples.size() < settings.minExamples()) {
            return insufficient(run, report, "training set has " + examples.size() + " examples of backbone "
                    + settings.backboneId() + ", fewer than the " + settings.minExamples()
                    + " required (training.validation.min-examples)");
        }
        Predicate<String> backboneSaw = settings.backboneLineage().membership();
        GroupedSplitter.Result<TrainingExample> split = settings.splitter().split(examples, KEYS)
                .seenMovedToTrain(e -> backboneSaw.test(e.scanId()));
        report.data(DataSummary.of(split.split(), TrainingExample::covid, split.groupOf()::get,
                TrainingExample::origin));
        String problem = GroupedSplitter.check(split, TrainingExample::label, settings.minGroupsPerClass());
        if (problem != null) {
            return insufficient(run, report, problem);
        }
        Evaluated evaluated = trainAndEvaluate(run, split, fineTuned == null ? observer : null);
        Optional<ChampionChallengerGate.Champion> champion = Optional.empty();
        Optional<ChampionChallengerGate.SharedRows> shared = Optional.empty();
        Optional<ModelArtifact> current = champions.current(settings.modelName()).filter(ModelArtifact::integrityVerified);
        Optional<Function<TrainingExample, float[]>> theirInput = current.flatMap(c -> championInput(c, fineTuned));
        if (theirInput.isPresent()) {
            ModelMetadata c = current.get().metadata();
            champion = Optional.of(new ChampionChallengerGate.Champion(c.version(), c.metrics() == null ? 0
                    : c.metrics().trainSize()));
            shared = sharedRows(current.get(), evaluated.head(), split, theirInput.get());
        }
        GateDecision decision = settings.gate().decide(settings.gate().metric().of(evaluated.validation()), evaluated.train().size(),
                champion, shared);
        return conclude(run, report, evaluated, decision, split, fineTuned);
    }

    /**
     * What the champion is scored on, per row: the row's own vector when it is on this backbone, the parent's
     * embedding when a fine-tuning run started from its backbone. Empty when it is on another backbone (the bootstrap
     * file was changed): it is then no yardstick, and this is the first version on this backbone.
     */
    private Optional<Function<TrainingExample, float[]>> championInput(ModelArtifact champion, NewBackbone fineTuned) {
        ModelMetadata c = champion.metadata();
        if (c.head().inputDim() <= 0) {
            return Optional.empty();
        }
        if (c.backboneId().equals(settings.backboneId()) && c.head().inputDim() == settings.featureDim()) {
            return Optional.of(TrainingExample::vector);
        }
        if (fineTuned != null && c.backboneId().equals(fineTuned.parentId())) {
            return Optional.of(e -> fineTuned.parentVectors().apply(e.scanId()));
        }
        return Optional.empty();
    }

    /** @param observer null: the run's epochs are another training's (fine-tuning), the head's stay out of them */
    private Evaluated trainAndEvaluate(TrainingRun run, GroupedSplitter.Result<TrainingExample> split,
                                       EpochObserver observer) {
        List<TrainingExample> trainRows = split.split().train();
        List<TrainingExample> validationRows = split.split().validation();
        LabelledVectors train = LabelledVectors.of(trainRows, TrainingExample::vector, TrainingExample::covid);
        LabelledVectors validation = LabelledVectors.of(validationRows, TrainingExample::vector,
                TrainingExample::covid);
        TrainedHead head = trainer.train(train, validation, settings.head(), observer == null ? EpochObserver.NONE
                : (metrics, epochs) -> {
                    run.epochFinished(metrics);
                    observer.epochFinished(metrics, epochs);
                });
        long start = System.nanoTime();
        double[] scores = HeadScoring.score(head.architecture(), head.weights(), validation.features());
        BinaryEvaluation onValidation = settings.thresholdRule().evaluate(scores, validation.covid());
        GroupBootstrap.Figures intervals = settings.intervals().figures(scores, validation.covid(),
                validationRows.stream().map(split.groupOf()::get).toList(), onValidation.threshold());
        BinaryEvaluation onTraining = BinaryEvaluation.at(
                HeadScoring.score(head.architecture(), head.weights(), train.features()), train.covid(),
                onValidation.threshold());
        return new Evaluated(head, trainRows, onValidation, intervals, onTraining, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Both heads' scores on the validation rows the champion was not trained on. A champion that does not state
     * its lineage (an older version) cannot be compared fairly on any row: the gate then goes by labels.
     */
    private Optional<ChampionChallengerGate.SharedRows> sharedRows(ModelArtifact champion, TrainedHead challenger,
                                                                   GroupedSplitter.Result<TrainingExample> split,
                                                                   Function<TrainingExample, float[]> theirInput) {
        ScanSet lineage = champion.metadata().trainedOn();
        if (lineage == null) {
            return Optional.empty();
        }
        Predicate<String> seen = lineage.membership();
        List<TrainingExample> rows = split.split().validation().stream()
                .filter(e -> !seen.test(e.scanId()) && theirInput.apply(e) != null).toList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        float[][] ours = rows.stream().map(TrainingExample::vector).toArray(float[][]::new);
        float[][] theirs = rows.stream().map(theirInput).toArray(float[][]::new);
        if (theirs[0].length != champion.metadata().head().inputDim()) {
            return Optional.empty();
        }
        boolean[] covid = new boolean[rows.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = rows.get(i).covid();
        }
        try (ClassificationHead head = ClassificationHead.fromArtifact(champion)) {
            return Optional.of(new ChampionChallengerGate.SharedRows(
                    HeadScoring.score(challenger.architecture(), challenger.weights(), ours),
                    HeadScoring.score(head, theirs), covid, rows.stream().map(split.groupOf()::get).toList()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Report and card, then publish when the gate says so (a failed publish rewrites the report as FAILED). */
    private Result conclude(TrainingRun run, RunReport.Builder report, Evaluated e, GateDecision decision,
                            GroupedSplitter.Result<TrainingExample> split, NewBackbone fineTuned)
            throws IOException {
        Instant createdAt = clock.instant();
        String version = decision.publish() ? VersionNames.version(createdAt, run.id()) : null;
        RunOutcome outcome = decision.publish() ? RunOutcome.PUBLISHED : RunOutcome.GATED_OUT;
        // A fine-tuning run's curves are the network's; its head is trained after, on the frozen new backbone.
        List<EpochMetrics> curves = fineTuned != null ? fineTuned.networkEpochs() : e.head().epochs();
        Map<String, byte[]> plots = ReportPlots.render(curves, rocs(run, e, version));
        Map<String, Double> timings = new LinkedHashMap<>();
        if (fineTuned != null) {
            timings.put("network", fineTuned.trainingMillis() / 1000.0);
        }
        timings.put(fineTuned != null ? "head" : "training", e.head().trainingMillis() / 1000.0);
        timings.put("evaluation", e.seconds());
        Map<String, Object> artifacts = new LinkedHashMap<>();
        artifacts.put("headArchitecture", e.head().architecture().describe());
        artifacts.put("bestEpoch", e.head().bestEpoch());
        artifacts.put("stoppedEarly", e.head().stoppedEarly());
        artifacts.put("trainedOn", e.train().size());
        artifacts.put("backbone", settings.backbone());
        report.epochs(curves).gate(decision).plots(plots.keySet()).timings(timings)
                .validation(EvaluationFigures.of(e.validation(), settings.thresholdRule().description(), e.intervals()))
                .training(EvaluationFigures.of(e.training(), EvaluationFigures.VALIDATION_THRESHOLD))
                .artifacts(artifacts);
        reports.write(report.version(version).build(outcome, decision.reason(), clock.instant()), plots);
        run.reportAt(RunReport.uri(run.id()));
        if (decision.publish()) {
            try {
                if (fineTuned != null) {
                    fineTuned.publish().run(); // the backbone first: a version never names a missing one
                }
                publisher.publish(run.id(), artifact(version, createdAt, run.id(), e, split));
            } catch (RuntimeException failure) {
                reports.write(report.version(null).build(RunOutcome.FAILED, "publishing failed: "
                        + failure.getMessage(), clock.instant()), plots);
                throw failure;
            }
        }
        Double auc = BinaryEvaluation.finite(e.validation().auc());
        run.finished(clock.instant(), outcome, version, auc, decision.reason());
        return new Result(outcome, version, auc, decision.reason(), decision);
    }

    private static List<ReportPlots.NamedRoc> rocs(TrainingRun run, Evaluated e, String version) {
        List<ReportPlots.NamedRoc> rocs = new ArrayList<>();
        rocs.add(new ReportPlots.NamedRoc(version != null ? version : "challenger (run " + run.id() + ")",
                new RocCurve(e.validation().roc(), e.validation().auc())));
        return rocs;
    }

    private ModelArtifact artifact(String version, Instant createdAt, String runId, Evaluated e,
                                   GroupedSplitter.Result<TrainingExample> split) {
        TrainedHead head = e.head();
        ModelMetrics base = e.validation().toModelMetrics(head.epochs(), e.train().size(),
                split.split().validation().size());
        ModelMetrics metrics = new ModelMetrics(base.epochs(), base.auc(), base.accuracy(), base.f1(),
                base.sensitivity(), base.specificity(), base.threshold(), base.confusion(), base.trainSize(),
                base.validationSize(), EvaluationFigures.intervals(e.intervals()));
        ModelMetadata metadata = new ModelMetadata(settings.modelName(), version, createdAt.atOffset(ZoneOffset.UTC),
                settings.backboneId(), head.architecture(), metrics, Sha256.hex(head.weights()), runId,
                RunReport.uri(runId), settings.backboneLineage().union(ScanSet.of(e.train().stream()
                .map(TrainingExample::scanId).toList())), RunReport.cardUri(runId), settings.backbone(),
                PreprocessingSpec.STANDARD);
        return new ModelArtifact(metadata, head.weights());
    }

    private Result insufficient(TrainingRun run, RunReport.Builder report, String why) throws IOException {
        Instant finished = clock.instant();
        reports.write(report.build(RunOutcome.INSUFFICIENT_DATA, why, finished), Map.of());
        run.reportAt(RunReport.uri(run.id()));
        run.finished(finished, RunOutcome.INSUFFICIENT_DATA, null, null, why);
        return new Result(RunOutcome.INSUFFICIENT_DATA, null, null, why, null);
    }

    private Map<String, Object> reportedSettings(NewBackbone fineTuned) {
        Map<String, Object> reported = new LinkedHashMap<>(settings.reported());
        if (fineTuned != null) {
            reported.putAll(fineTuned.described());
        }
        reported.putIfAbsent("head", settings.head());
        reported.putIfAbsent("gateMetric", settings.gate().metric());
        reported.putIfAbsent("splitRule", GroupedSplitter.RULE);
        return reported;
    }
}
