package io.scanstream.training.run;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.Quantization;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.learning.evaluate.GroupBootstrap;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.train.CyclicLearningRate;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.ImageAugmentation;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.LearningRateSchedule;
import io.scanstream.learning.validation.ChampionChallengerGate;
import io.scanstream.learning.validation.GateMetric;
import io.scanstream.learning.validation.DataSplit;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.EmbeddingSink;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.ScanImages;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.report.ReportStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A fine-tuning run from labelled images to a published backbone, embeddings and version, with the ports in memory
 * and the real trainer (a small seeded MobileNetV2 at 64 px, one epoch: what is asserted is the plumbing and the
 * rules, not accuracy, which the learning library's seeded tests and the evaluation cover).
 */
class FineTuneRunPipelineTest {

    private static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-25T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:15:30Z"), ZoneOffset.UTC);
    private static final int CHUNK = 1 << 20;
    private static final HeadTrainingSettings HEAD = new HeadTrainingSettings(List.of(32), 0.2, 5, 8,
            new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-3, 1e-2, 2, 1), 5, 0, 0);

    private static Parent parent;
    private static final List<LabelledScan> SCANS = new ArrayList<>();
    private static final Map<String, ScanPreprocessed> IMAGES = new HashMap<>();

    @TempDir
    Path reports;
    private final List<String> calls = new ArrayList<>();
    private final List<BackboneManifest> manifests = new ArrayList<>();
    private final List<byte[]> weights = new ArrayList<>();
    private final Map<String, float[]> embedded = new HashMap<>();
    private final List<ModelArtifact> versions = new ArrayList<>();

    @BeforeAll
    static void data() throws Exception {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(17);
        for (int i = 0; i < 24; i++) {
            ClinicalLabel label = i % 2 == 0 ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
            String id = "ft-" + i;
            GreyImage image = generator.render(i, label, 64, 64);
            SCANS.add(new LabelledScan(id, label, "dr", AT, "p-" + i, null, "/devices/ct-1"));
            IMAGES.put(id, new ScanPreprocessed(id, URI.create("/devices/ct-1"), AT, "p-" + i,
                    Sha256.hex(image.pixels()), ImageFormat.PNG, 64, 64, image));
        }
        parent = new Parent(FeatureExtractors.load(BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2),
                42), ScanSet.EMPTY);
    }

    @AfterAll
    static void close() {
        parent.extractor.close();
    }

    @Test
    void publishesTheBackboneInChunksThenItsEmbeddingsThenAVersionThatRefersToIt() throws Exception {
        TrainingRun run = new TrainingRun("finetune1", TrainingMode.FULL_NETWORK, RunTrigger.API, Instant.now());

        HeadRunPipeline.Result result = pipeline().run(run, snapshot(), images(id -> true),
                parent, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        assertThat(calls).containsExactly("backbone", "embeddings", "version");
        BackboneManifest manifest = manifests.get(0);
        byte[] bytes = weights.get(0);
        assertThat(manifest.backboneId()).matches("mobilenet_v2:[0-9a-f]{12}").isNotEqualTo(parent.id());
        assertThat(manifest.sha256()).isEqualTo(Sha256.hex(bytes));
        assertThat(manifest.sizeBytes()).isEqualTo(bytes.length);
        assertThat(manifest.chunks()).isEqualTo((bytes.length + CHUNK - 1) / CHUNK).isGreaterThan(1);
        assertThat(manifest.fineTunedFrom()).isEqualTo(parent.id());
        assertThat(manifest.trainingRunId()).isEqualTo("finetune1");
        assertThat(manifest.format()).isEqualTo(BackboneManifest.DJL_PARAMETERS);

        // The published bytes load as the backbone the version names.
        Path file = Files.write(reports.resolve("published.params"), bytes);
        try (FeatureExtractor loaded = FeatureExtractors.load(new BackboneSpec(BackboneArchitecture.MOBILENET_V2,
                Optional.of(file), FeatureReadout.FINAL), 0)) {
            assertThat(loaded.backboneId()).isEqualTo(manifest.backboneId());
        }
        assertThat(embedded).hasSize(SCANS.size());
        assertThat(embedded.values()).allMatch(v -> v.length == 1280);

        ModelArtifact version = versions.get(0);
        assertThat(version.metadata().backboneId()).isEqualTo(manifest.backboneId());
        assertThat(version.metadata().backbone()).isEqualTo(manifest.reference());
        assertThat(version.metadata().backbone().source()).isEqualTo(BackboneRef.Source.PUBLISHED);
        // Lineage: the backbone and the version were trained on the training side only.
        int trainSize = version.metadata().metrics().trainSize();
        assertThat(manifest.trainedOn().count()).isEqualTo(trainSize);
        assertThat(version.metadata().trainedOn()).isEqualTo(manifest.trainedOn());
        assertThat(version.metadata().metrics().validationSize()).isEqualTo(SCANS.size() - trainSize).isPositive();
        assertThat(run.status().epochs()).isEqualTo(1);
        assertThat(run.status().history()).hasSize(1);
        assertThat(Files.readString(reports.resolve("finetune1/report.json"))).contains("\"fineTunedFrom\"")
                .contains(manifest.backboneId())
                // early stopping is off by default: the report says no rows were held back for it
                .containsPattern("\"earlyStop\"\\s*:\\s*\\{\\s*\"stoppingRows\"\\s*:\\s*0,");
    }

    @Test
    void anInt8BackboneIsQuantisedOnTheTrainingSideAndEmbeddedAsInferenceWillServeIt() throws Exception {
        TrainingRun run = new TrainingRun("finetune-int8", TrainingMode.FULL_NETWORK, RunTrigger.API, Instant.now());

        HeadRunPipeline.Result result = pipeline(FineTuneRunPipeline.ServedAs.INT8).run(run, snapshot(),
                images(id -> true), parent, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        BackboneManifest manifest = manifests.get(0);
        Quantization quantization = manifest.servedQuantised().orElseThrow();
        assertThat(manifest.format()).as("the float weights travel; the ranges say how to serve them")
                .isEqualTo(BackboneManifest.DJL_PARAMETERS);
        assertThat(manifest.backboneId()).matches("mobilenet_v2:[0-9a-f]{12}-int8-" + quantization.fingerprint());
        assertThat(versions.get(0).metadata().backboneId()).isEqualTo(manifest.backboneId());

        // What a reader of the manifest loads from the published bytes gives the embeddings the head learnt from.
        Path file = Files.write(reports.resolve("published.params"), weights.get(0));
        BackboneSpec served = new BackboneSpec(BackboneArchitecture.MOBILENET_V2, Optional.of(file),
                FeatureReadout.FINAL).withQuantization(manifest.servedQuantised());
        String scan = SCANS.get(0).scanId();
        try (FeatureExtractor loaded = FeatureExtractors.load(served, 0)) {
            assertThat(loaded.backboneId()).isEqualTo(manifest.backboneId());
            assertThat(loaded.engine()).isEqualTo("onnxruntime");
            assertThat(loaded.embed(List.of(IMAGES.get(scan).image()), 1)[0]).isEqualTo(embedded.get(scan));
        }
        assertThat(Files.readString(reports.resolve("finetune-int8/report.json")))
                .containsPattern("\"servedAs\"\\s*:\\s*\"int8\"").contains("\"calibrationScans\"");
    }

    @Test
    void theServedPrecisionIsInt8OrFloat32AndAnythingElseIsRefusedByName() {
        // training.backbones.served-as: RunPipelines parses it at start-up, so a typo stops the service there
        assertThat(FineTuneRunPipeline.ServedAs.fromId("int8")).isEqualTo(FineTuneRunPipeline.ServedAs.INT8);
        assertThat(FineTuneRunPipeline.ServedAs.fromId("FLOAT32")).isEqualTo(FineTuneRunPipeline.ServedAs.FLOAT32);
        assertThatThrownBy(() -> FineTuneRunPipeline.ServedAs.fromId("int16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown backbone precision 'int16', expected int8 or float32");
        assertThatThrownBy(() -> FineTuneRunPipeline.ServedAs.fromId(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected int8 or float32");
    }

    @Test
    void scansTheParentWasFineTunedOnStayOnTheTrainingSideAndInTheLineage() throws Exception {
        // One scan the split would hold out (of a class with more than one there), and a few it trains on.
        DataSplit<LabelledImage> split = new GroupedSplitter(0.25, 2024).split(LabelledImages.of(SCANS, images(id -> true)),
                GroupedSplitter.LABELLED_IMAGES).split();
        LabelledImage heldOut = split.validation().stream().filter(i -> split.validation().stream()
                .filter(o -> o.label() == i.label()).count() > 1).findFirst().orElseThrow();
        List<String> parentSaw = new ArrayList<>(split.train().stream().limit(3).map(LabelledImage::scanId).toList());
        parentSaw.add(heldOut.scanId());
        Parent trained = new Parent(parent.extractor, ScanSet.of(parentSaw));

        HeadRunPipeline.Result result = pipeline().run(new TrainingRun("finetune2", TrainingMode.FULL_NETWORK,
                RunTrigger.API, Instant.now()), snapshot(), images(id -> true), trained, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.PUBLISHED);
        BackboneManifest manifest = manifests.get(0);
        assertThat(parentSaw).allMatch(manifest.trainedOn()::contains);
        assertThat(manifest.trainedOn().count()).isEqualTo(split.train().size() + 1);
        assertThat(versions.get(0).metadata().metrics().validationSize()).isEqualTo(split.validation().size() - 1);
    }

    @Test
    void endsAsInsufficientDataWithoutTrainingWhenTooFewScansHaveAnImage() throws Exception {
        TrainingRun run = new TrainingRun("finetune3", TrainingMode.FULL_NETWORK, RunTrigger.API, Instant.now());

        HeadRunPipeline.Result result = pipeline().run(run, snapshot(),
                images(id -> id.endsWith("1")), parent, EpochObserver.NONE);

        assertThat(result.outcome()).isEqualTo(RunOutcome.INSUFFICIENT_DATA);
        assertThat(result.detail()).contains("with a preprocessed image").contains("of 24 labelled");
        assertThat(calls).isEmpty();
    }

    private FineTuneRunPipeline pipeline() {
        return pipeline(FineTuneRunPipeline.ServedAs.FLOAT32);
    }

    private FineTuneRunPipeline pipeline(FineTuneRunPipeline.ServedAs servedAs) {
        FullNetworkSettings network = new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), HEAD, 1, 8,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-3, 1e-2, 1, 1), 1.0, 64,
                ImageAugmentation.Level.NONE, 0, Duration.ofMinutes(10), FullNetworkSettings.EarlyStop.OFF);
        GroupedSplitter splitter = new GroupedSplitter(0.25, 2024);
        FineTuneRunPipeline.Settings settings = new FineTuneRunPipeline.Settings("covid-head", network,
                FeatureReadout.FINAL, splitter, 12, 1, CHUNK, 42, servedAs);
        ReportStore store = new ReportStore(reports);
        FineTuneRunPipeline.HeadPipelines heads = (ref, dim, lineage) -> new HeadRunPipeline(
                new HeadRunPipeline.Settings("covid-head", ref, dim, lineage, HEAD, splitter, 12, 1,
                        new ChampionChallengerGate(true, GateMetric.AUC, 0.05, 200, 2024),
                        new GroupBootstrap(200, 0.95, 2024), ThresholdRule.PREVALENCE, Map.of()),
                new HeadTrainer(), store, name -> Optional.empty(), (runId, artifact) -> {
                    calls.add("version");
                    versions.add(artifact);
                }, CLOCK);
        EmbeddingSink sink = (backboneId, computed) -> {
            calls.add("embeddings");
            computed.forEach(c -> embedded.put(c.scan().scanId(), c.vector()));
        };
        return new FineTuneRunPipeline(settings, new FullNetworkTrainer(), heads, store, (manifest, bytes) -> {
            calls.add("backbone");
            manifests.add(manifest);
            weights.add(bytes);
        }, sink, CLOCK);
    }

    private static ScanImages images(java.util.function.Predicate<String> kept) {
        return ids -> {
            Map<String, ScanPreprocessed> found = new HashMap<>();
            ids.stream().filter(kept).forEach(id -> found.put(id, IMAGES.get(id)));
            return found;
        };
    }

    private static TrainingSet.Snapshot snapshot() {
        return new TrainingSet.Snapshot(parent.id(), SCANS, Map.of());
    }

    /** The backbone in service: a seeded random MobileNetV2 with a given lineage. */
    private record Parent(FeatureExtractor extractor, ScanSet trainedOn) implements Backbone {
        @Override
        public String id() {
            return extractor.backboneId();
        }

        @Override
        public int featureDim() {
            return extractor.featureDim();
        }

        @Override
        public BackboneArchitecture architecture() {
            return BackboneArchitecture.MOBILENET_V2;
        }

        @Override
        public boolean pretrained() {
            return false;
        }

        @Override
        public BackboneRef reference() {
            return BackboneRef.bootstrap(id(), "mobilenet_v2", "final");
        }

        @Override
        public Optional<Path> weights() {
            return Optional.empty();
        }

        @Override
        public Optional<OffsetDateTime> createdAt() {
            return Optional.empty();
        }

        @Override
        public float[] embed(GreyImage image) {
            return extractor.embed(List.of(image), 1)[0];
        }
    }
}
