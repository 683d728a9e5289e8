package io.scanstream.training.training;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.DataSplit;
import io.scanstream.training.domain.LabelledImage;
import io.scanstream.training.domain.PatientSplitter;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.report.ReportPlots;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.report.RunReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A full-network run in the service: the labelled preprocessed scans → split by patient → backbone and head
 * trained together → evaluation of the joint network on validation → files in the run's folder: the new backbone
 * ({@code backbone-<architecture>-<run>.params}, its id {@code <architecture>:<sha256 prefix>}), the head as a
 * model artifact carrying that backbone id, and the report. Nothing is published: a backbone is a deployment
 * artifact (DESIGN section 1). Rolling it out means configuring inference and training with the file; training
 * then rebuilds the training set for the new backbone id and publishes heads for it (docs/training.md).
 */
public final class FullNetworkRunPipeline {

    private static final int ID_HASH_CHARS = 12;

    /** @param minExamples fewer labelled scans: INSUFFICIENT_DATA */
    public record Settings(String modelName, FullNetworkSettings network, PatientSplitter splitter, int minExamples) {
    }

    /** How the run ended, and what it wrote. */
    public record Result(RunOutcome outcome, String backboneId, Path backboneFile, Path headArtifact,
                         Double validationAuc, String detail) {
    }

    private final Settings settings;
    private final FullNetworkTrainer trainer;
    private final ReportStore reports;
    private final Clock clock;

    public FullNetworkRunPipeline(Settings settings, FullNetworkTrainer trainer, ReportStore reports, Clock clock) {
        this.settings = settings;
        this.trainer = trainer;
        this.reports = reports;
        this.clock = clock;
    }

    public Result run(TrainingRun run, List<LabelledImage> labelled, EpochObserver observer) throws IOException {
        Instant started = clock.instant();
        run.started(started, settings.network().epochs());
        run.trainingSet(labelled.size());
        DataSplit<LabelledImage> split = settings.splitter().split(labelled, LabelledImage::splitKey,
                LabelledImage::label);
        boolean[] covid = validationLabels(split.validation());
        int positives = count(covid);
        long trainPositives = split.train().stream().filter(LabelledImage::covid).count();
        if (labelled.size() < settings.minExamples() || positives == 0 || positives == covid.length
                || trainPositives == 0 || trainPositives == split.train().size()) {
            String why = "full-network training needs at least " + settings.minExamples()
                    + " labelled scans with both classes on both sides of the split; got " + labelled.size()
                    + " (train " + trainPositives + "/" + split.train().size() + " COVID, validation " + positives
                    + "/" + covid.length + ")";
            writeReport(run, started, RunOutcome.INSUFFICIENT_DATA, why, split, null, null, null, Map.of());
            run.finished(clock.instant(), RunOutcome.INSUFFICIENT_DATA, null, null, why);
            return new Result(RunOutcome.INSUFFICIENT_DATA, null, null, null, null, why);
        }

        TrainedNetwork network = trainer.train(split.train(), split.validation(), settings.network(),
                (metrics, epochs) -> {
                    run.epochFinished(metrics);
                    observer.epochFinished(metrics, epochs);
                });
        BinaryEvaluation evaluation = HeadScoring.atYoudenThreshold(network.validationScores(), covid);

        Path dir = reports.runDirectory(run.id());
        String architecture = settings.network().architecture().id();
        Path backboneFile = dir.resolve("backbone-" + architecture + "-" + run.id() + ".params");
        Files.write(backboneFile, network.backboneParameters());
        String backboneId = architecture + ":" + Sha256.hex(network.backboneParameters()).substring(0, ID_HASH_CHARS);
        Instant createdAt = clock.instant();
        String version = VersionNames.version(createdAt, run.id());
        ModelMetrics metrics = new ModelMetrics(network.epochs(), RunReport.finite(evaluation.auc()),
                RunReport.finite(evaluation.accuracy()), RunReport.finite(evaluation.f1()),
                RunReport.finite(evaluation.sensitivity()), RunReport.finite(evaluation.specificity()),
                evaluation.threshold(), evaluation.confusion(), split.train().size(), split.validation().size());
        ModelArtifact head = new ModelArtifact(new ModelMetadata(settings.modelName(), version,
                createdAt.atOffset(ZoneOffset.UTC), backboneId, network.head(), metrics, Sha256.hex(network.headWeights()),
                run.id(), HeadRunPipeline.reportUri(run.id())), network.headWeights());
        Path headFile = dir.resolve("head-" + version + ".zip");
        Files.write(headFile, head.toBytes());

        Map<String, Object> artifacts = new LinkedHashMap<>();
        artifacts.put("backboneId", backboneId);
        artifacts.put("backboneFile", backboneFile.toString());
        artifacts.put("backboneSha256", Sha256.hex(network.backboneParameters()));
        artifacts.put("headArtifact", headFile.toString());
        artifacts.put("headVersion", version);
        artifacts.put("stoppedByTimeBudget", network.stoppedByBudget());
        String detail = "new backbone " + backboneId + " written (not published: deploy the file to inference and"
                + " training to use it)";
        writeReport(run, started, RunOutcome.ARTIFACTS_WRITTEN, detail, split, network, evaluation, backboneId,
                artifacts);
        Double auc = RunReport.finite(evaluation.auc());
        // No version in the run's status: nothing was published; the head's version is in the report's artifacts.
        run.finished(clock.instant(), RunOutcome.ARTIFACTS_WRITTEN, null, auc, detail);
        return new Result(RunOutcome.ARTIFACTS_WRITTEN, backboneId, backboneFile, headFile, auc, detail);
    }

    private void writeReport(TrainingRun run, Instant started, RunOutcome outcome, String detail,
                             DataSplit<LabelledImage> split, TrainedNetwork network, BinaryEvaluation evaluation,
                             String backboneId, Map<String, Object> artifacts) throws IOException {
        Map<String, byte[]> plots = network == null ? Map.of() : ReportPlots.render(network.epochs(),
                List.of(new ReportPlots.NamedRoc("full network (run " + run.id() + ")",
                        new RocCurve(evaluation.roc(), evaluation.auc()))));
        Instant finished = clock.instant();
        Map<String, Object> reported = new LinkedHashMap<>();
        FullNetworkSettings n = settings.network();
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("architecture", n.architecture().id());
        described.put("initialisation", n.initialisation());
        described.put("initialWeights", n.initialWeights().map(Path::toString).orElse(null));
        described.put("batchNormStatistics", n.trainsBatchNormStatistics() ? "trained" : "frozen");
        described.put("hiddenWidths", n.hiddenWidths());
        described.put("dropout", n.dropout());
        described.put("epochs", n.epochs());
        described.put("batchSize", n.batchSize());
        described.put("learningRate", Map.of("mode", n.mode(), "base", n.baseLearningRate(), "max",
                n.maxLearningRate(), "stepSizeEpochs", n.stepSizeEpochs()));
        described.put("seed", n.seed());
        described.put("imageSize", n.imageSize());
        described.put("augment", n.augment());
        described.put("timeBudget", n.timeBudget().toString());
        reported.put("fullNetwork", described);
        RunReport report = new RunReport(run.id(), run.mode(), run.trigger(), outcome, detail, settings.modelName(),
                null, backboneId, started, finished, Duration.between(started, finished).toMillis() / 1000.0, reported,
                new RunReport.DataSummary(split.train().size() + split.validation().size(), split.train().size(),
                        split.validation().size(), (int) split.train().stream().filter(LabelledImage::covid).count(),
                        (int) split.validation().stream().filter(LabelledImage::covid).count(),
                        (int) split.train().stream().map(LabelledImage::splitKey).distinct().count(),
                        (int) split.validation().stream().map(LabelledImage::splitKey).distinct().count()),
                network == null ? List.of() : network.epochs(),
                evaluation == null ? null : RunReport.Evaluation.of(evaluation, RunReport.THRESHOLD_RULE), null, null,
                HeadRunPipeline.plotLinks(run.id(), plots), artifacts,
                network == null ? Map.of() : Map.of("training", network.trainingMillis() / 1000.0));
        reports.write(report, plots);
        run.reportAt(HeadRunPipeline.reportUri(run.id()));
    }

    private static boolean[] validationLabels(List<LabelledImage> validation) {
        boolean[] covid = new boolean[validation.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = validation.get(i).covid();
        }
        return covid;
    }

    private static int count(boolean[] values) {
        int n = 0;
        for (boolean v : values) {
            n += v ? 1 : 0;
        }
        return n;
    }
}
