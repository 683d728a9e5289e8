package io.scanstream.training.run;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.report.DataSummary;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.report.ReportPlots;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.TrainedNetwork;
import io.scanstream.learning.validation.DataSplit;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.report.RunReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A full-network run in the service: the labelled preprocessed scans → split by patient → backbone and head
 * trained together → evaluation of the joint network on validation → files in the run's folder: the new backbone
 * ({@code backbone-<architecture>-<run>.params}, its id by the backbone-id rule of {@code FeatureExtractors}), the
 * head as a model artifact carrying that backbone id, and the report. Nothing is published: rolling the backbone
 * out means configuring inference and training with the file; training then rebuilds the training set for the new
 * backbone id and publishes heads for it (docs/training.md).
 */
public final class FullNetworkRunPipeline {

    /**
     * @param minExamples       fewer labelled scans: INSUFFICIENT_DATA
     * @param minGroupsPerClass fewer groups of a class on a side: INSUFFICIENT_DATA
     */
    public record Settings(String modelName, FullNetworkSettings network, GroupedSplitter splitter, int minExamples,
                           int minGroupsPerClass) {
    }

    /** What splits group by: the same rule as head runs, so both tiers share one split. */
    static final GroupedSplitter.Keys<LabelledImage> KEYS = new GroupedSplitter.Keys<>() {
        @Override
        public String patient(LabelledImage image) {
            return image.patient();
        }

        @Override
        public String origin(LabelledImage image) {
            return image.origin();
        }

        @Override
        public String scanId(LabelledImage image) {
            return image.scanId();
        }
    };

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
        GroupedSplitter.Result<LabelledImage> grouped = settings.splitter().split(labelled, KEYS);
        DataSplit<LabelledImage> split = grouped.split();
        DataSummary data = DataSummary.of(split, LabelledImage::covid, grouped.groupOf()::get, LabelledImage::origin);
        RunReport.Builder report = RunReport.builder(run, settings.modelName(), null, started)
                .settings(Map.of("fullNetwork", describe(settings.network()), "splitRule", GroupedSplitter.RULE))
                .data(data);
        String problem = labelled.size() < settings.minExamples()
                ? "full-network training needs at least " + settings.minExamples() + " labelled scans; got "
                + labelled.size()
                : GroupedSplitter.check(grouped, LabelledImage::label, settings.minGroupsPerClass());
        if (problem != null) {
            String why = problem;
            reports.write(report.build(RunOutcome.INSUFFICIENT_DATA, why, clock.instant()), Map.of());
            run.reportAt(RunReport.uri(run.id()));
            run.finished(clock.instant(), RunOutcome.INSUFFICIENT_DATA, null, null, why);
            return new Result(RunOutcome.INSUFFICIENT_DATA, null, null, null, null, why);
        }
        TrainedNetwork network = trainer.train(split.train(), split.validation(), settings.network(),
                (metrics, epochs) -> {
                    run.epochFinished(metrics);
                    observer.epochFinished(metrics, epochs);
                });
        return writeArtifacts(run, report, split, network);
    }

    /** The backbone file, the head artifact and the report; the run's outcome. */
    private Result writeArtifacts(TrainingRun run, RunReport.Builder report, DataSplit<LabelledImage> split,
                                  TrainedNetwork network) throws IOException {
        boolean[] covid = labels(split.validation());
        BinaryEvaluation evaluation = HeadScoring.atYoudenThreshold(network.validationScores(), covid);
        Path dir = reports.runDirectory(run.id());
        Path backboneFile = dir.resolve("backbone-" + network.architecture().id() + "-" + run.id() + ".params");
        Files.write(backboneFile, network.backboneParameters());
        String backboneId = FeatureExtractors.backboneId(network.architecture(), FeatureReadout.FINAL,
                network.backboneParameters());
        Instant createdAt = clock.instant();
        String version = VersionNames.version(createdAt, run.id());
        ModelArtifact head = new ModelArtifact(new ModelMetadata(settings.modelName(), version,
                createdAt.atOffset(ZoneOffset.UTC), backboneId, network.head(),
                evaluation.toModelMetrics(network.epochs(), split.train().size(), split.validation().size()),
                Sha256.hex(network.headWeights()), run.id(), RunReport.uri(run.id())), network.headWeights());
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
        Map<String, byte[]> plots = ReportPlots.render(network.epochs(), List.of(new ReportPlots.NamedRoc(
                "full network (run " + run.id() + ")", new RocCurve(evaluation.roc(), evaluation.auc()))));
        reports.write(report.backboneId(backboneId).epochs(network.epochs()).plots(plots.keySet())
                .validation(EvaluationFigures.of(evaluation, EvaluationFigures.YOUDEN_RULE)).artifacts(artifacts)
                .timings(Map.of("training", network.trainingMillis() / 1000.0))
                .build(RunOutcome.ARTIFACTS_WRITTEN, detail, clock.instant()), plots);
        run.reportAt(RunReport.uri(run.id()));
        Double auc = BinaryEvaluation.finite(evaluation.auc());
        // No version in the run's status: nothing was published; the head's version is in the report's artifacts.
        run.finished(clock.instant(), RunOutcome.ARTIFACTS_WRITTEN, null, auc, detail);
        return new Result(RunOutcome.ARTIFACTS_WRITTEN, backboneId, backboneFile, headFile, auc, detail);
    }

    private static Map<String, Object> describe(FullNetworkSettings n) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("architecture", n.architecture().id());
        described.put("initialisation", n.initialisation());
        described.put("initialWeights", n.initialWeights().map(Path::toString).orElse(null));
        described.put("batchNormStatistics", n.trainsBatchNormStatistics() ? "trained" : "frozen");
        described.put("head", n.head());
        described.put("epochs", n.epochs());
        described.put("batchSize", n.batchSize());
        described.put("learningRate", n.learningRate());
        described.put("seed", n.seed());
        described.put("imageSize", n.imageSize());
        described.put("augment", n.augment());
        described.put("timeBudget", n.timeBudget().toString());
        return described;
    }

    private static boolean[] labels(List<LabelledImage> images) {
        boolean[] covid = new boolean[images.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = images.get(i).covid();
        }
        return covid;
    }
}
