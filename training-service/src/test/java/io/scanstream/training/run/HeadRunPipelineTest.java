package io.scanstream.training.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;
import io.scanstream.core.artifact.PreprocessingSpec;
import io.scanstream.core.contract.Json;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.training.SyntheticEmbeddings;
import io.scanstream.learning.train.CyclicLearningRate;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.LearningRateSchedule;
import io.scanstream.learning.validation.ChampionChallengerGate;
import io.scanstream.learning.validation.GateMetric;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.learning.evaluate.GroupBootstrap;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.report.ReportStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A head run from training-set snapshot to published artifact and report, with the champion and the publisher
 * in memory (the service test does the same through the broker).
 */
class HeadRunPipelineTest {

    private static final String BACKBONE = "mobilenet_v2:5f7ccb5c0a1b";
    private static final int DIM = 32;
    private static final HeadTrainingSettings HEAD = new HeadTrainingSettings(List.of(64, 32, 16), 0.2, 12, 16,
            new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR2, 1e-3, 1e-2, 2, 1), 5, 0, 0);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:15:30Z"), ZoneOffset.UTC);

    @TempDir
    Path reports;
    private final AtomicReference<ModelArtifact> champion = new AtomicReference<>();
    private final List<ModelArtifact> published = new ArrayList<>();
    private final List<TrainingExample> data = SyntheticEmbeddings.examples("s", 80, 2, DIM, 2.0, BACKBONE, 21);

    @Test
    void publishesTheFirstVersionWithMetricsBackboneIdAndAReportWithPlots() throws Exception {
        List<TrainingExample> snapshot = new ArrayList<>(data);
        snapshot.addAll(SyntheticEmbeddings.examples("other", 10, 2, DIM, 1.5, "resnet34:random", 22));
        TrainingRun run = run("run00001");

        HeadRunPipeline.Result result = pipeline().run(run, snapshot, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        assertThat(result.version()).isEqualTo("v20261125101530-run00001");
        assertThat(published).hasSize(1);
        ModelArtifact artifact = published.get(0);
        ModelMetadata metadata = artifact.metadata();
        assertThat(metadata.modelName()).isEqualTo("covid-head");
        assertThat(metadata.backboneId()).isEqualTo(BACKBONE);
        assertThat(metadata.head()).isEqualTo(new HeadArchitecture(DIM, List.of(64, 32, 16), 0.2, 2));
        assertThat(metadata.trainingRunId()).isEqualTo("run00001");
        assertThat(metadata.reportUri()).isEqualTo("/training/runs/run00001/report");
        assertThat(artifact.integrityVerified()).isTrue();
        ModelMetrics metrics = metadata.metrics();
        assertThat(metrics.epochs()).hasSize(12);
        assertThat(metrics.trainSize() + metrics.validationSize()).isEqualTo(160); // other backbone left out
        assertThat(metrics.auc()).isGreaterThan(0.95);
        assertThat(metrics.accuracy()).isGreaterThan(0.85);
        assertThat(metrics.threshold()).isBetween(0.0, 1.0);
        assertThat(metrics.confusion().total()).isEqualTo(metrics.validationSize());
        assertThat(result.validationAuc()).isEqualTo(metrics.auc());
        assertThat(metrics.intervals().auc().lower()).isLessThanOrEqualTo(metrics.auc());
        assertThat(metrics.intervals().auc().upper()).isGreaterThanOrEqualTo(metrics.auc());
        assertThat(metrics.intervals().level()).isEqualTo(0.95);
        // Lineage: the head states what it was trained on, and no validation row is among them.
        assertThat(metadata.trainedOn().count()).isEqualTo(metrics.trainSize());
        assertThat(metadata.cardUri()).isEqualTo("/training/runs/run00001/card");

        // The published bytes score as the report says: what inference loads is what was evaluated.
        try (ClassificationHead head = ClassificationHead.fromArtifact(artifact)) {
            assertThat(head.probabilities(new float[][] {data.get(0).vector()})[0]).isBetween(0.0, 1.0);
        }

        JsonNode report = Json.MAPPER.readTree(Files.readAllBytes(reports.resolve("run00001/report.json")));
        assertThat(report.get("outcome").asText()).isEqualTo("PUBLISHED");
        assertThat(report.get("version").asText()).isEqualTo(result.version());
        assertThat(report.get("epochs")).hasSize(12);
        assertThat(report.at("/validation/auc").asDouble()).isEqualTo(metrics.auc());
        assertThat(report.at("/validation/thresholdRule").asText()).contains("as many validation scans COVID");
        assertThat(report.at("/validation/roc").size()).isGreaterThan(2);
        assertThat(report.at("/data/validationGroups").asInt()).isPositive();
        assertThat(report.at("/validation/intervals/auc/lower").isNumber()).isTrue();
        JsonNode card = Json.MAPPER.readTree(Files.readAllBytes(reports.resolve("run00001/card.json")));
        assertThat(card.get("version").asText()).isEqualTo(result.version());
        assertThat(card.get("splitRule").asText()).contains("patient or an origin");
        assertThat(card.at("/validation/intervals/auc/upper").isNumber()).isTrue();
        assertThat(card.at("/gate/reason").asText()).contains("first version");
        assertThat(report.at("/gate/publish").asBoolean()).isTrue();
        assertThat(report.at("/plots/roc").asText()).isEqualTo("/training/runs/run00001/report/roc.png");
        for (String plot : List.of("loss.png", "accuracy.png", "learning-rate.png", "roc.png")) {
            byte[] png = Files.readAllBytes(reports.resolve("run00001").resolve(plot));
            assertThat(png).hasSizeGreaterThan(5_000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }

    @Test
    void keepsAChampionTrainedOnMoreLabelsWhenTheChallengerIsNotSignificantlyBetter() throws Exception {
        pipeline().run(run("first001"), data, EpochObserver.NONE);
        champion.set(published.get(0));

        // Fewer labels (a third of the patients gone), the same signal: no significant difference.
        HeadRunPipeline.Result second = pipeline().run(run("second01"), withoutEveryThirdPatient(), EpochObserver.NONE);

        assertThat(second.outcome()).isEqualTo(RunOutcome.GATED_OUT);
        assertThat(second.version()).isNull();
        assertThat(published).hasSize(1);
        assertThat(second.gate().championVersion()).isEqualTo(published.get(0).metadata().version());
        assertThat(second.gate().comparison()).isNotNull();
        assertThat(second.gate().reason()).contains("no significant difference")
                .contains("the champion was trained on more labels");
        JsonNode report = Json.MAPPER.readTree(Files.readAllBytes(reports.resolve("second01/report.json")));
        assertThat(report.get("outcome").asText()).isEqualTo("GATED_OUT");
        assertThat(Files.exists(reports.resolve("second01/card.json"))).isTrue();
    }

    @Test
    void publishesAChallengerTrainedOnMoreLabelsWhenTheDifferenceIsNotSignificant() throws Exception {
        pipeline().run(run("first002"), withoutEveryThirdPatient(), EpochObserver.NONE);
        champion.set(published.get(0));

        HeadRunPipeline.Result second = pipeline().run(run("second02"), data, EpochObserver.NONE);

        assertThat(second.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        assertThat(second.gate().reason()).contains("the challenger was trained on more labels");
    }

    @Test
    void neverComparesOnRowsTheChampionWasTrainedOn() throws Exception {
        // A champion whose lineage covers every scan: no validation row is fit to judge it on.
        HeadArchitecture architecture = new HeadArchitecture(DIM, List.of(64, 32, 16), 0.2, 2);
        champion.set(artifact("v-saw-everything", BACKBONE, architecture, 0.99,
                ScanSet.of(data.stream().map(TrainingExample::scanId).toList())));

        HeadRunPipeline.Result result = pipeline().run(run("lineage1"), data, EpochObserver.NONE);

        assertThat(result.gate().comparison()).isNull();
        assertThat(result.gate().reason()).contains("no shared validation rows");
    }

    @Test
    void neverValidatesOnScansItsBackboneWasFineTunedOnAndCarriesThemInItsLineage() throws Exception {
        pipeline().run(run("nolinea1"), data, EpochObserver.NONE);
        ModelMetrics withoutLineage = published.get(0).metadata().metrics();
        List<String> fineTunedOn = data.stream().limit(60).map(TrainingExample::scanId).toList();
        BackboneRef fineTuned = new BackboneRef(BACKBONE, "mobilenet_v2", "final", "ab".repeat(32), 1234,
                BackboneRef.Source.PUBLISHED);
        champion.set(null);

        pipeline(settings(fineTuned, ScanSet.of(fineTunedOn), 20, 2), new ArrayList<>())
                .run(run("lineage2"), data, EpochObserver.NONE);

        ModelMetadata metadata = published.get(1).metadata();
        // The backbone's scans that the split had put in validation moved to the training side.
        assertThat(metadata.metrics().validationSize()).isLessThan(withoutLineage.validationSize());
        assertThat(metadata.metrics().trainSize() + metadata.metrics().validationSize()).isEqualTo(160);
        assertThat(fineTunedOn).allMatch(metadata.trainedOn()::contains);
        assertThat(metadata.trainedOn().count()).isEqualTo(metadata.metrics().trainSize());
        assertThat(metadata.backbone()).isEqualTo(fineTuned);
        assertThat(metadata.preprocessing()).isEqualTo(PreprocessingSpec.STANDARD);
    }

    @Test
    void judgesAHeadOnANewBackboneAgainstTheChampionScoredOnItsOwnBackbonesEmbeddings() throws Exception {
        pipeline().run(run("parent01"), withoutEveryThirdPatient(), EpochObserver.NONE);
        champion.set(published.get(0));
        String newId = "mobilenet_v2:0123456789ab";
        BackboneRef newBackbone = new BackboneRef(newId, "mobilenet_v2", "final", "cd".repeat(32), 4321,
                BackboneRef.Source.PUBLISHED);
        // The new backbone's embeddings: another backbone id, vectors of their own (a shifted copy).
        List<TrainingExample> rows = data.stream().map(e -> new TrainingExample(e.scanId(), e.label(),
                e.labelledBy(), e.labelledAt(), e.patient(), newId, shifted(e.vector()), e.origin())).toList();
        java.util.Map<String, float[]> parentVectors = new java.util.HashMap<>();
        data.forEach(e -> parentVectors.put(e.scanId(), e.vector()));
        List<String> calls = new ArrayList<>();
        TrainingRun run = new TrainingRun("finetun1", TrainingMode.FULL_NETWORK, RunTrigger.API, Instant.now());
        run.started(CLOCK.instant(), 3);

        HeadRunPipeline.Result result = pipeline(settings(newBackbone, ScanSet.EMPTY, 20, 2), calls)
                .runOnNewBackbone(run, rows, new HeadRunPipeline.NewBackbone(BACKBONE, parentVectors::get, List.of(),
                        Map.of("fineTunedFrom", BACKBONE), 1000, () -> calls.add("backbone")));

        assertThat(result.gate().comparison()).isNotNull(); // the champion was scored, on the parent's embeddings
        assertThat(result.gate().championVersion()).isEqualTo(published.get(0).metadata().version());
        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        assertThat(calls).containsExactly("backbone", "version " + result.version());
        ModelMetadata metadata = published.get(1).metadata();
        assertThat(metadata.backboneId()).isEqualTo(newId);
        assertThat(metadata.backbone()).isEqualTo(newBackbone);
        JsonNode report = Json.MAPPER.readTree(Files.readAllBytes(reports.resolve("finetun1/report.json")));
        assertThat(report.at("/settings/fineTunedFrom").asText()).isEqualTo(BACKBONE);
        assertThat(report.at("/timingsSeconds/network").asDouble()).isEqualTo(1.0);
    }

    @Test
    void endsAsInsufficientDataWhenASideHasTooFewGroupsOfAClass() throws Exception {
        List<TrainingExample> onePatientPerClass = List.of(
                example("a1", ClinicalLabel.COVID, "p-a"), example("a2", ClinicalLabel.COVID, "p-a"),
                example("b1", ClinicalLabel.NON_COVID, "p-b"), example("b2", ClinicalLabel.NON_COVID, "p-b"));
        HeadRunPipeline.Settings strict = settings(2, 4);

        HeadRunPipeline.Result result = new HeadRunPipeline(strict, new HeadTrainer(), new ReportStore(reports),
                name -> Optional.empty(), (runId, artifact) -> published.add(artifact), CLOCK)
                .run(run("groups01"), onePatientPerClass, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.INSUFFICIENT_DATA);
        assertThat(result.detail()).contains("group(s) with").contains("training.validation.min-groups-per-class");
        assertThat(published).isEmpty();
    }

    @Test
    void judgesTheChampionByItsScoresOnTheCurrentSplitNotByTheNumbersItWasPublishedWith() throws Exception {
        // An untrained head that claims a perfect AUC.
        HeadArchitecture architecture = new HeadArchitecture(DIM, List.of(64, 32, 16), 0.2, 2);
        champion.set(artifact("v-boastful", BACKBONE, architecture, 1.0, ScanSet.EMPTY));

        HeadRunPipeline.Result result = pipeline().run(run("honest01"), data, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        assertThat(result.gate().champion()).isLessThan(0.8);
        assertThat(result.gate().challenger()).isGreaterThan(0.95);
    }

    @Test
    void aChampionOfAnotherBackboneDoesNotBlockTheFirstVersionOnThisOne() throws Exception {
        champion.set(artifact("v-old-backbone", "mobilenet_v2:random",
                new HeadArchitecture(DIM, List.of(64, 32, 16), 0.2, 2), 1.0, ScanSet.EMPTY));

        HeadRunPipeline.Result result = pipeline().run(run("newbb001"), data, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        assertThat(result.gate().reason()).contains("first version");
    }

    @Test
    void endsAsInsufficientDataWithoutPublishingWhenTheSetIsTooSmall() throws Exception {
        HeadRunPipeline.Result result = pipeline().run(run("small001"), data.subList(0, 10), EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.INSUFFICIENT_DATA);
        assertThat(result.detail()).contains("10 examples").contains("20 required");
        assertThat(published).isEmpty();
        assertThat(Files.readString(reports.resolve("small001/report.json"))).contains("INSUFFICIENT_DATA");
    }

    @Test
    void theVersionsOperatingThresholdFollowsTheConfiguredRule() throws Exception {
        // Overlapping classes, so that the rules cut in different places; the same seeded head under both rules.
        List<TrainingExample> noisy = SyntheticEmbeddings.examples("n", 80, 2, DIM, 0.6, BACKBONE, 23);
        Map<ThresholdRule, ModelMetrics> byRule = new java.util.EnumMap<>(ThresholdRule.class);
        for (ThresholdRule rule : ThresholdRule.values()) {
            published.clear();
            new HeadRunPipeline(settings(BackboneRef.bootstrap(BACKBONE, "mobilenet_v2", "final"), ScanSet.EMPTY, 20, 2,
                    rule), new HeadTrainer(), new ReportStore(reports.resolve(rule.name())), name -> Optional.empty(),
                    (runId, artifact) -> published.add(artifact), CLOCK).run(run("rule0001"), noisy, EpochObserver.NONE);
            assertThat(published).hasSize(1);
            byRule.put(rule, published.get(0).metadata().metrics());
        }

        ModelMetrics prevalence = byRule.get(ThresholdRule.PREVALENCE);
        ModelMetrics youden = byRule.get(ThresholdRule.YOUDEN);
        assertThat(prevalence.auc()).isEqualTo(youden.auc()); // one head, two thresholds
        ConfusionMatrix p = prevalence.confusion();
        // As many called COVID as validation holds (continuous scores: no ties at the cut).
        assertThat(p.truePositives() + p.falsePositives()).isEqualTo(p.truePositives() + p.falseNegatives());
        // Youden's cut is the one with the highest sensitivity + specificity on these rows; here it is another one.
        assertThat(youden.threshold()).isNotEqualTo(prevalence.threshold());
        assertThat(youden.sensitivity() + youden.specificity())
                .isGreaterThan(prevalence.sensitivity() + prevalence.specificity());
        JsonNode report = Json.MAPPER.readTree(Files.readAllBytes(reports.resolve("YOUDEN/rule0001/report.json")));
        assertThat(report.at("/validation/thresholdRule").asText()).contains("Youden");
    }

    private HeadRunPipeline pipeline() {
        return new HeadRunPipeline(settings(20, 2), new HeadTrainer(), new ReportStore(reports),
                name -> Optional.ofNullable(champion.get()), (runId, artifact) -> published.add(artifact), CLOCK);
    }

    private static HeadRunPipeline.Settings settings(int minExamples, int minGroupsPerClass) {
        return settings(BackboneRef.bootstrap(BACKBONE, "mobilenet_v2", "final"), ScanSet.EMPTY, minExamples,
                minGroupsPerClass);
    }

    private static HeadRunPipeline.Settings settings(BackboneRef backbone, ScanSet lineage, int minExamples,
                                                     int minGroupsPerClass) {
        return settings(backbone, lineage, minExamples, minGroupsPerClass, ThresholdRule.PREVALENCE);
    }

    private static HeadRunPipeline.Settings settings(BackboneRef backbone, ScanSet lineage, int minExamples,
                                                     int minGroupsPerClass, ThresholdRule rule) {
        return new HeadRunPipeline.Settings("covid-head", backbone, DIM, lineage, HEAD, new GroupedSplitter(0.25, 2024),
                minExamples, minGroupsPerClass, new ChampionChallengerGate(true, GateMetric.AUC, 0.05, 300, 2024),
                new GroupBootstrap(300, 0.95, 2024), rule, Map.of());
    }

    private HeadRunPipeline pipeline(HeadRunPipeline.Settings settings, List<String> calls) {
        return new HeadRunPipeline(settings, new HeadTrainer(), new ReportStore(reports),
                name -> Optional.ofNullable(champion.get()), (runId, artifact) -> {
                    calls.add("version " + artifact.metadata().version());
                    published.add(artifact);
                }, CLOCK);
    }

    /** The data without the scans of every third patient: fewer labels, the same signal. */
    private List<TrainingExample> withoutEveryThirdPatient() {
        return data.stream().filter(e -> Integer.parseInt(e.patient().replaceAll(".*-", "")) % 3 != 0).toList();
    }

    private static TrainingExample example(String id, ClinicalLabel label, String patient) {
        float[] v = new float[DIM];
        v[0] = label == ClinicalLabel.COVID ? 1 : 0;
        return new TrainingExample(id, label, "dr", SyntheticEmbeddings.LABELLED_AT, patient, BACKBONE, v);
    }

    private static float[] shifted(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[(i + 1) % v.length];
        }
        return out;
    }

    private static TrainingRun run(String id) {
        return new TrainingRun(id, TrainingMode.HEAD, RunTrigger.API, Instant.now());
    }

    private static ModelArtifact artifact(String version, String backbone, HeadArchitecture architecture, double auc,
                                          ScanSet trainedOn) {
        byte[] weights;
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, 99)) {
            weights = head.weightsBytes();
        }
        ModelMetrics metrics = new ModelMetrics(List.of(), auc, auc, auc, auc, auc, 0.5, null, 1000, 100);
        return new ModelArtifact(new ModelMetadata("covid-head", version, OffsetDateTime.parse("2026-01-01T00:00:00Z"),
                backbone, architecture, metrics, Sha256.hex(weights), null, null, trainedOn, null), weights);
    }
}
