package io.scanstream.training.training;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.ChampionChallengerGate;
import io.scanstream.training.domain.DataSplit;
import io.scanstream.training.domain.GateDecision;
import io.scanstream.training.domain.PatientSplitter;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.report.ReportPlots;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.report.RunReport;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
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
 * it. Kafka and HTTP stay outside: the champion and the publisher are interfaces.
 */
public final class HeadRunPipeline {

    /** The head in service, as models.published holds it (latest record under the model name). */
    @FunctionalInterface
    public interface ChampionSource {
        Optional<ModelArtifact> current(String modelName);
    }

    /** Publishes a version; at most once per run. */
    @FunctionalInterface
    public interface VersionPublisher {
        void publish(String runId, ModelArtifact artifact);
    }

    /**
     * @param modelName  versions are published under it
     * @param backboneId the configured backbone; rows and champions of another backbone are left out
     * @param featureDim the backbone's feature width
     * @param minExamples fewer rows: INSUFFICIENT_DATA
     * @param reported   settings copied into the report as they are
     */
    public record Settings(String modelName, String backboneId, int featureDim, HeadTrainingSettings head,
                           PatientSplitter splitter, int minExamples, ChampionChallengerGate gate,
                           Map<String, Object> reported) {
    }

    /** How the run ended. */
    public record Result(RunOutcome outcome, String version, Double validationAuc, String detail, GateDecision gate) {
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

    public static String reportUri(String runId) {
        return "/training/runs/" + runId + "/report";
    }

    public Result run(TrainingRun run, List<TrainingExample> snapshot, EpochObserver observer) throws IOException {
        Instant started = clock.instant();
        run.started(started, settings.head().epochs());
        List<TrainingExample> examples = snapshot.stream()
                .filter(e -> e.backboneId().equals(settings.backboneId()) && e.vector().length == settings.featureDim())
                .sorted(Comparator.comparing(TrainingExample::scanId))
                .toList();
        run.trainingSet(examples.size());
        if (examples.size() < settings.minExamples()) {
            return insufficient(run, started, examples, null, "training set has " + examples.size()
                    + " examples of backbone " + settings.backboneId() + ", fewer than the " + settings.minExamples()
                    + " required (training.validation.min-examples)");
        }
        DataSplit<TrainingExample> split = settings.splitter().split(examples, TrainingExample::splitKey,
                TrainingExample::label);
        LabelledVectors train = LabelledVectors.of(split.train(), TrainingExample::vector, TrainingExample::covid);
        LabelledVectors validation = LabelledVectors.of(split.validation(), TrainingExample::vector,
                TrainingExample::covid);
        if (!train.hasBothClasses() || !validation.hasBothClasses()) {
            return insufficient(run, started, examples, split, "both classes are needed on both sides of the split:"
                    + " train " + train.positives() + "/" + train.size() + " COVID, validation "
                    + validation.positives() + "/" + validation.size() + " COVID (more patients per class needed)");
        }

        TrainedHead head = trainer.train(train, validation, settings.head(), (metrics, epochs) -> {
            run.epochFinished(metrics);
            observer.epochFinished(metrics, epochs);
        });
        long evaluationStart = System.nanoTime();
        BinaryEvaluation onValidation = HeadScoring.atYoudenThreshold(
                HeadScoring.score(head.architecture(), head.weights(), validation.features()), validation.covid());
        BinaryEvaluation onTraining = BinaryEvaluation.at(
                HeadScoring.score(head.architecture(), head.weights(), train.features()), train.covid(),
                onValidation.threshold());
        Optional<ChampionChallengerGate.Champion> champion = rescoreChampion(validation);
        GateDecision decision = settings.gate().decide(onValidation, champion);
        double evaluationSeconds = (System.nanoTime() - evaluationStart) / 1e9;

        Instant createdAt = clock.instant();
        String version = decision.publish() ? VersionNames.version(createdAt, run.id()) : null;
        RunOutcome outcome = decision.publish() ? RunOutcome.PUBLISHED : RunOutcome.GATED_OUT;
        List<ReportPlots.NamedRoc> rocs = new ArrayList<>();
        rocs.add(new ReportPlots.NamedRoc(version != null ? version : "challenger (run " + run.id() + ")",
                new RocCurve(onValidation.roc(), onValidation.auc())));
        champion.ifPresent(c -> rocs.add(new ReportPlots.NamedRoc("champion " + c.version(),
                new RocCurve(c.evaluation().roc(), c.evaluation().auc()))));
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("training", head.trainingMillis() / 1000.0);
        timings.put("evaluation", evaluationSeconds);
        ReportDraft draft = new ReportDraft(run, started, examples, split, head, onValidation, onTraining, decision,
                rocs, timings);
        writeReport(draft, outcome, version, decision.reason());
        run.reportAt(reportUri(run.id()));

        if (decision.publish()) {
            ModelArtifact artifact = artifact(version, createdAt, run.id(), head, onValidation, train.size(),
                    validation.size());
            try {
                publisher.publish(run.id(), artifact);
            } catch (RuntimeException e) {
                writeReport(draft, RunOutcome.FAILED, null, "publishing failed: " + e.getMessage());
                throw e;
            }
        }
        Double auc = RunReport.finite(onValidation.auc());
        run.finished(clock.instant(), outcome, version, auc, decision.reason());
        return new Result(outcome, version, auc, decision.reason(), decision);
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

    private ModelArtifact artifact(String version, Instant createdAt, String runId, TrainedHead head,
                                   BinaryEvaluation validation, int trainSize, int validationSize) {
        ModelMetrics metrics = new ModelMetrics(head.epochs(), RunReport.finite(validation.auc()),
                RunReport.finite(validation.accuracy()), RunReport.finite(validation.f1()),
                RunReport.finite(validation.sensitivity()), RunReport.finite(validation.specificity()),
                validation.threshold(), validation.confusion(), trainSize, validationSize);
        HeadArchitecture architecture = head.architecture();
        ModelMetadata metadata = new ModelMetadata(settings.modelName(), version, createdAt.atOffset(ZoneOffset.UTC),
                settings.backboneId(), architecture, metrics, Sha256.hex(head.weights()), runId, reportUri(runId));
        return new ModelArtifact(metadata, head.weights());
    }

    /** Everything a report needs but the outcome, so that a failed publish can rewrite it. */
    private record ReportDraft(TrainingRun run, Instant started, List<TrainingExample> examples,
                               DataSplit<TrainingExample> split, TrainedHead head, BinaryEvaluation validation,
                               BinaryEvaluation training, GateDecision gate, List<ReportPlots.NamedRoc> rocs,
                               Map<String, Double> timings) {
    }

    private void writeReport(ReportDraft d, RunOutcome outcome, String version, String detail) throws IOException {
        Map<String, byte[]> plots = ReportPlots.render(d.head().epochs(), d.rocs());
        Instant finished = clock.instant();
        RunReport report = new RunReport(d.run().id(), d.run().mode(), d.run().trigger(), outcome, detail,
                settings.modelName(), version, settings.backboneId(), d.started(), finished,
                Duration.between(d.started(), finished).toMillis() / 1000.0, reportedSettings(),
                summary(d.examples(), d.split()), d.head().epochs(),
                RunReport.Evaluation.of(d.validation(), RunReport.THRESHOLD_RULE),
                RunReport.Evaluation.of(d.training(), "the validation threshold"), d.gate(), plotLinks(d.run().id(), plots),
                Map.of("headArchitecture", d.head().architecture().describe(), "bestEpoch", d.head().bestEpoch(),
                        "stoppedEarly", d.head().stoppedEarly()), d.timings());
        reports.write(report, plots);
    }

    private Result insufficient(TrainingRun run, Instant started, List<TrainingExample> examples,
                                DataSplit<TrainingExample> split, String why) throws IOException {
        Instant finished = clock.instant();
        RunReport report = new RunReport(run.id(), run.mode(), run.trigger(), RunOutcome.INSUFFICIENT_DATA, why,
                settings.modelName(), null, settings.backboneId(), started, finished,
                Duration.between(started, finished).toMillis() / 1000.0, reportedSettings(), summary(examples, split),
                List.of(), null, null, null, Map.of(), Map.of(), Map.of());
        reports.write(report, Map.of());
        run.reportAt(reportUri(run.id()));
        run.finished(finished, RunOutcome.INSUFFICIENT_DATA, null, null, why);
        return new Result(RunOutcome.INSUFFICIENT_DATA, null, null, why, null);
    }

    private Map<String, Object> reportedSettings() {
        Map<String, Object> reported = new LinkedHashMap<>(settings.reported());
        reported.putIfAbsent("head", settings.head());
        reported.putIfAbsent("gateMetric", settings.gate().metric());
        return reported;
    }

    static RunReport.DataSummary summary(List<TrainingExample> examples, DataSplit<TrainingExample> split) {
        if (split == null) {
            return new RunReport.DataSummary(examples.size(), 0, 0, 0, 0, 0, 0);
        }
        return new RunReport.DataSummary(examples.size(), split.train().size(), split.validation().size(),
                (int) split.train().stream().filter(TrainingExample::covid).count(),
                (int) split.validation().stream().filter(TrainingExample::covid).count(),
                (int) split.train().stream().map(TrainingExample::splitKey).distinct().count(),
                (int) split.validation().stream().map(TrainingExample::splitKey).distinct().count());
    }

    static Map<String, String> plotLinks(String runId, Map<String, byte[]> plots) {
        Map<String, String> links = new LinkedHashMap<>();
        for (String name : plots.keySet()) {
            links.put(name.substring(0, name.length() - ".png".length()), reportUri(runId) + "/" + name);
        }
        return links;
    }
}
