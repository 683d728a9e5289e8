package io.scanstream.training.run;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.report.DataSummary;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.report.ReportPlots;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.TrainedHead;
import io.scanstream.learning.validation.ChampionChallengerGate;
import io.scanstream.learning.validation.DataSplit;
import io.scanstream.learning.validation.GateDecision;
import io.scanstream.learning.validation.PatientSplitter;
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

/**
 * One head run, start to finish, in plain Java: the training-set snapshot (rows of the configured backbone only)
 * → split by patient → train → score with the head exactly as inference will load it → evaluate on validation
 * (threshold by Youden's J) → re-score the champion on the same split → gate → report (JSON + plots) → publish.
 * The report is written before publishing, so the version's {@code reportUri} resolves as soon as inference sees
 * it. Kafka and HTTP stay outside: the champion and the publisher are ports.
 */
public final class HeadRunPipeline {

    /**
     * @param modelName   versions are published under it
     * @param backboneId  the configured backbone; rows and champions of another backbone are left out
     * @param featureDim  the backbone's feature width
     * @param minExamples fewer rows: INSUFFICIENT_DATA
     * @param reported    settings copied into the report as they are
     */
    public record Settings(String modelName, String backboneId, int featureDim, HeadTrainingSettings head,
                           PatientSplitter splitter, int minExamples, ChampionChallengerGate gate,
                           Map<String, Object> reported) {
    }

    /** How the run ended. */
    public record Result(RunOutcome outcome, String version, Double validationAuc, String detail, GateDecision gate) {
    }

    /** The trained head's figures, before the gate: what the report and the artifact are made of. */
    private record Evaluated(TrainedHead head, BinaryEvaluation validation, BinaryEvaluation training,
                             Optional<ChampionChallengerGate.Champion> champion, double seconds) {
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

    public Result run(TrainingRun run, List<TrainingExample> snapshot, EpochObserver observer) throws IOException {
        Instant started = clock.instant();
        run.started(started, settings.head().epochs());
        List<TrainingExample> examples = snapshot.stream()
                .filter(e -> e.backboneId().equals(settings.backboneId()) && e.vector().length == settings.featureDim())
                .sorted(Comparator.comparing(TrainingExample::scanId))
                .toList();
        run.trainingSet(examples.size());
        RunReport.Builder report = RunReport.builder(run, settings.modelName(), settings.backboneId(), started)
                .settings(reportedSettings()).data(DataSummary.unsplit(examples.size()));
        if (examples.size() < settings.minExamples()) {
            return insufficient(run, report, "training set has " + examples.size() + " examples of backbone "
                    + settings.backboneId() + ", fewer than the " + settings.minExamples()
                    + " required (training.validation.min-examples)");
        }
        DataSplit<TrainingExample> split = settings.splitter().split(examples, TrainingExample::splitKey,
                TrainingExample::label);
        report.data(DataSummary.of(split, TrainingExample::covid, TrainingExample::splitKey));
        LabelledVectors train = LabelledVectors.of(split.train(), TrainingExample::vector, TrainingExample::covid);
        LabelledVectors validation = LabelledVectors.of(split.validation(), TrainingExample::vector,
                TrainingExample::covid);
        if (!train.hasBothClasses() || !validation.hasBothClasses()) {
            return insufficient(run, report, "both classes are needed on both sides of the split: train "
                    + train.positives() + "/" + train.size() + " COVID, validation " + validation.positives() + "/"
                    + validation.size() + " COVID (more patients per class needed)");
        }
        Evaluated evaluated = trainAndEvaluate(run, train, validation, observer);
        GateDecision decision = settings.gate().decide(evaluated.validation(), evaluated.champion());
        return conclude(run, report, evaluated, decision, train.size(), validation.size());
    }

    private Evaluated trainAndEvaluate(TrainingRun run, LabelledVectors train, LabelledVectors validation,
                                       EpochObserver observer) {
        TrainedHead head = trainer.train(train, validation, settings.head(), (metrics, epochs) -> {
            run.epochFinished(metrics);
            observer.epochFinished(metrics, epochs);
        });
        long start = System.nanoTime();
        BinaryEvaluation onValidation = HeadScoring.atYoudenThreshold(
                HeadScoring.score(head.architecture(), head.weights(), validation.features()), validation.covid());
        BinaryEvaluation onTraining = BinaryEvaluation.at(
                HeadScoring.score(head.architecture(), head.weights(), train.features()), train.covid(),
                onValidation.threshold());
        Optional<ChampionChallengerGate.Champion> champion = rescoreChampion(validation);
        return new Evaluated(head, onValidation, onTraining, champion, (System.nanoTime() - start) / 1e9);
    }

    /** Report, then publish when the gate says so (a failed publish rewrites the report as FAILED). */
    private Result conclude(TrainingRun run, RunReport.Builder report, Evaluated e, GateDecision decision,
                            int trainSize, int validationSize) throws IOException {
        Instant createdAt = clock.instant();
        String version = decision.publish() ? VersionNames.version(createdAt, run.id()) : null;
        RunOutcome outcome = decision.publish() ? RunOutcome.PUBLISHED : RunOutcome.GATED_OUT;
        Map<String, byte[]> plots = ReportPlots.render(e.head().epochs(), rocs(run, e, version));
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("training", e.head().trainingMillis() / 1000.0);
        timings.put("evaluation", e.seconds());
        report.epochs(e.head().epochs()).gate(decision).plots(plots.keySet()).timings(timings)
                .validation(EvaluationFigures.of(e.validation(), EvaluationFigures.YOUDEN_RULE))
                .training(EvaluationFigures.of(e.training(), EvaluationFigures.VALIDATION_THRESHOLD))
                .artifacts(Map.of("headArchitecture", e.head().architecture().describe(), "bestEpoch",
                        e.head().bestEpoch(), "stoppedEarly", e.head().stoppedEarly()));
        reports.write(report.version(version).build(outcome, decision.reason(), clock.instant()), plots);
        run.reportAt(RunReport.uri(run.id()));
        if (decision.publish()) {
            try {
                publisher.publish(run.id(), artifact(version, createdAt, run.id(), e, trainSize, validationSize));
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
        e.champion().ifPresent(c -> rocs.add(new ReportPlots.NamedRoc("champion " + c.version(),
                new RocCurve(c.evaluation().roc(), c.evaluation().auc()))));
        return rocs;
    }

    private Optional<ChampionChallengerGate.Champion> rescoreChampion(LabelledVectors validation) {
        Optional<ModelArtifact> current = champions.current(settings.modelName());
        if (current.isEmpty()) {
            return Optional.empty();
        }
        ModelArtifact artifact = current.get();
        ModelMetadata metadata = artifact.metadata();
        // A head of another backbone (before a backbone change) or a damaged one is no yardstick for this one.
        if (!settings.backboneId().equals(metadata.backboneId()) || metadata.head().inputDim() != settings.featureDim()
                || !artifact.integrityVerified()) {
            return Optional.empty();
        }
        try (ClassificationHead head = ClassificationHead.fromArtifact(artifact)) {
            return Optional.of(new ChampionChallengerGate.Champion(metadata.version(),
                    HeadScoring.atYoudenThreshold(HeadScoring.score(head, validation.features()), validation.covid())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private ModelArtifact artifact(String version, Instant createdAt, String runId, Evaluated e, int trainSize,
                                   int validationSize) {
        TrainedHead head = e.head();
        ModelMetadata metadata = new ModelMetadata(settings.modelName(), version, createdAt.atOffset(ZoneOffset.UTC),
                settings.backboneId(), head.architecture(),
                e.validation().toModelMetrics(head.epochs(), trainSize, validationSize), Sha256.hex(head.weights()),
                runId, RunReport.uri(runId));
        return new ModelArtifact(metadata, head.weights());
    }

    private Result insufficient(TrainingRun run, RunReport.Builder report, String why) throws IOException {
        Instant finished = clock.instant();
        reports.write(report.build(RunOutcome.INSUFFICIENT_DATA, why, finished), Map.of());
        run.reportAt(RunReport.uri(run.id()));
        run.finished(finished, RunOutcome.INSUFFICIENT_DATA, null, null, why);
        return new Result(RunOutcome.INSUFFICIENT_DATA, null, null, why, null);
    }

    private Map<String, Object> reportedSettings() {
        Map<String, Object> reported = new LinkedHashMap<>(settings.reported());
        reported.putIfAbsent("head", settings.head());
        reported.putIfAbsent("gateMetric", settings.gate().metric());
        return reported;
    }
}
