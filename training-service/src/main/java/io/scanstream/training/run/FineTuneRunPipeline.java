package io.scanstream.training.run;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.Quantization;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.TrainedNetwork;
import io.scanstream.learning.validation.DataSplit;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.backbone.OnnxExport;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.BackbonePublisher;
import io.scanstream.training.domain.EmbeddingSink;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.ScanImages;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingRun;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.report.RunReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A fine-tuning run, in plain Java: the labelled scans' preprocessed images → the shared split (the head runs' rule,
 * scans the parent backbone saw kept on the training side) → the parent backbone (the one in service) trained
 * further with a head on the training side → the new backbone frozen (by default quantised to int8 on scans of the
 * training side, {@link ServedAs}), every labelled image embedded with it as inference will serve it → the
 * head pipeline on those embeddings (head trained and judged, champion scored on its own backbone's embeddings of
 * the same rows, gate, report, card) → when it publishes: the backbone's chunks and manifest (lineage: the parent's
 * plus the training side), the embeddings under the new backbone (head runs continue on it at once), then the
 * version that refers to the backbone. A run killed before the version is out published no version: a backbone
 * nothing refers to is retired after the retention.
 */
public final class FineTuneRunPipeline {

    /** Images embedded per forward pass. */
    private static final int EMBED_BATCH = 8;

    /**
     * @param network           how the network trains, from the parent's weights
     * @param readout           the readout versions of the new backbone use (the parent's)
     * @param minExamples       fewer labelled scans with an image: INSUFFICIENT_DATA
     * @param minGroupsPerClass fewer groups of a class on a side: INSUFFICIENT_DATA
     * @param chunkBytes        the size of the backbone's chunks on models.backbones
     * @param seed              the seed of a randomly initialised backbone (development only)
     * @param servedAs          how the new backbone is served (and so embedded, trained on and judged)
     */
    public record Settings(String modelName, FullNetworkSettings network, FeatureReadout readout,
                           GroupedSplitter splitter,
                           int minExamples, int minGroupsPerClass, int chunkBytes, long seed, ServedAs servedAs) {
    }

    /** How a fine-tuned backbone is served. */
    public enum ServedAs {
        /** The float weights as they are, on any engine. */
        FLOAT32,
        /**
         * int8 on ONNX Runtime (about twice float32's speed on CPU, docs/benchmarks.md): quantised over the ranges
         * its activations take on up to {@link OnnxExport#DEFAULT_CALIBRATION_IMAGES} scans of the run's training
         * side; the ranges travel in the manifest, and the version's head is trained and judged on int8 features.
         */
        INT8;

        /** {@code int8} or {@code float32}, case-insensitively. */
        public static ServedAs fromId(String id) {
            for (ServedAs value : values()) {
                if (value.name().equalsIgnoreCase(id)) {
                    return value;
                }
            }
            throw new IllegalArgumentException("unknown backbone precision '" + id + "', expected int8 or float32");
        }
    }

    /** Builds the head pipeline that finishes the run, for the new backbone. */
    @FunctionalInterface
    public interface HeadPipelines {
        HeadRunPipeline forBackbone(BackboneRef backbone, int featureDim, ScanSet lineage);
    }

    private final Settings settings;
    private final FullNetworkTrainer trainer;
    private final HeadPipelines heads;
    private final ReportStore reports;
    private final BackbonePublisher backbones;
    private final EmbeddingSink embeddings;
    private final Clock clock;

    public FineTuneRunPipeline(Settings settings, FullNetworkTrainer trainer, HeadPipelines heads, ReportStore reports,
                               BackbonePublisher backbones, EmbeddingSink embeddings, Clock clock) {
        this.settings = settings;
        this.trainer = trainer;
        this.heads = heads;
        this.reports = reports;
        this.backbones = backbones;
        this.embeddings = embeddings;
        this.clock = clock;
    }

    /**
     * @param snapshot the training set with the parent's embeddings (the champion is scored on those)
     * @param parent   the backbone in service: where training starts, and whose lineage the new one extends
     */
    public HeadRunPipeline.Result run(TrainingRun run, TrainingSet.Snapshot snapshot,
                                      ScanImages images, Backbone parent, EpochObserver observer) throws IOException {
        Instant started = clock.instant();
        run.started(started, settings.network().epochs());
        List<LabelledImage> labelled = LabelledImages.of(snapshot.labelled(), images);
        run.trainingSet(labelled.size());
        Predicate<String> parentSaw = parent.trainedOn().membership();
        GroupedSplitter.Result<LabelledImage> grouped = settings.splitter()
                .split(labelled, GroupedSplitter.LABELLED_IMAGES).seenMovedToTrain(i -> parentSaw.test(i.scanId()));
        DataSplit<LabelledImage> split = grouped.split();
        String problem = labelled.size() < settings.minExamples()
                ? "fine-tuning needs at least " + settings.minExamples() + " labelled scans with a preprocessed image;"
                + " got " + labelled.size() + " of " + snapshot.size() + " labelled"
                : GroupedSplitter.check(grouped, LabelledImage::label, settings.minGroupsPerClass());
        if (problem != null) {
            RunReport.Builder report = RunReport.builder(run, settings.modelName(), parent.id(), started)
                    .settings(Map.of("fullNetwork", describe(settings.network()), "splitRule", GroupedSplitter.RULE));
            reports.write(report.build(RunOutcome.INSUFFICIENT_DATA, problem, clock.instant()), Map.of());
            run.reportAt(RunReport.uri(run.id()));
            run.finished(clock.instant(), RunOutcome.INSUFFICIENT_DATA, null, null, problem);
            return new HeadRunPipeline.Result(RunOutcome.INSUFFICIENT_DATA, null, null, problem, null);
        }
        FullNetworkSettings network = settings.network();
        TrainedNetwork trained = trainer.train(split.train(), split.validation(), network, (metrics, epochs) -> {
            run.epochFinished(metrics);
            observer.epochFinished(metrics, epochs);
        });
        byte[] weights = trained.backboneParameters();
        ScanSet lineage = parent.trainedOn().union(ScanSet.of(split.train().stream().map(LabelledImage::scanId)
                .toList()));
        Path file = reports.runDirectory(run.id()).resolve("backbone-" + trained.architecture().id() + ".params");
        Files.write(file, weights);
        BackboneSpec spec = new BackboneSpec(trained.architecture(), Optional.of(file), settings.readout());
        List<LabelledImage> calibration = OnnxExport.calibrationSample(split.train(),
                OnnxExport.DEFAULT_CALIBRATION_IMAGES);
        Optional<Quantization> quantization = settings.servedAs() == ServedAs.INT8
                ? Optional.of(OnnxExport.calibrate(spec, calibration.stream().map(LabelledImage::image).toList()))
                : Optional.empty();
        Map<String, float[]> vectors;
        String backboneId;
        int featureDim;
        // The network's own DJL model is closed by now: with the parent, two backbones are loaded at most. Embedded
        // as inference will serve it, so the head learns, and is judged on, the features it will get.
        try (FeatureExtractor fineTuned = FeatureExtractors.load(spec.withQuantization(quantization),
                settings.seed())) {
            backboneId = fineTuned.backboneId();
            featureDim = fineTuned.featureDim();
            vectors = embed(fineTuned, labelled);
        }
        BackboneManifest manifest = new BackboneManifest(backboneId, trained.architecture().id(),
                settings.readout().id(), BackboneManifest.DJL_PARAMETERS, weights.length, Sha256.hex(weights),
                settings.chunkBytes(), BackboneChunks.count(weights.length, settings.chunkBytes()),
                clock.instant().atOffset(ZoneOffset.UTC), run.id(), parent.id(), lineage, quantization.orElse(null));
        Map<String, LabelledScan> scans = snapshot.labelled().stream()
                .collect(Collectors.toMap(LabelledScan::scanId, Function.identity(), (a, b) -> b));
        List<TrainingExample> rows = new ArrayList<>();
        List<EmbeddingSink.Computed> computed = new ArrayList<>();
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
            LabelledScan scan = scans.get(e.getKey());
            rows.add(scan.withEmbedding(backboneId, e.getValue()));
            computed.add(new EmbeddingSink.Computed(scan, e.getValue()));
        }
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("fullNetwork", describe(network));
        described.put("fineTunedFrom", parent.id());
        Map<String, Object> newBackbone = new LinkedHashMap<>();
        newBackbone.put("id", backboneId);
        newBackbone.put("sha256", manifest.sha256());
        newBackbone.put("sizeBytes", weights.length);
        newBackbone.put("file", file.toString());
        newBackbone.put("servedAs", settings.servedAs().name().toLowerCase(java.util.Locale.ROOT));
        quantization.ifPresent(q -> newBackbone.put("quantization", Map.of("scheme", q.scheme(),
                "activations", q.activationRanges().length, "calibrationScans", calibration.size())));
        newBackbone.put("stoppedByTimeBudget", trained.stoppedByBudget());
        newBackbone.put("jointValidationAuc", jointAuc(trained, split));
        described.put("newBackbone", newBackbone);
        described.put("earlyStop", describe(trained.earlyStop()));
        HeadRunPipeline.NewBackbone handover = new HeadRunPipeline.NewBackbone(parent.id(),
                parentVectors(snapshot, parent, labelled), trained.epochs(), described, trained.trainingMillis(),
                () -> {
                    backbones.publish(manifest, weights);
                    embeddings.publish(backboneId, computed);
                });
        return heads.forBackbone(manifest.reference(), featureDim, lineage).runOnNewBackbone(run, rows, handover);
    }

    private static Map<String, float[]> embed(FeatureExtractor backbone, List<LabelledImage> images) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int from = 0; from < images.size(); from += EMBED_BATCH) {
            List<LabelledImage> batch = images.subList(from, Math.min(images.size(), from + EMBED_BATCH));
            float[][] x = backbone.embed(batch.stream().map(LabelledImage::image).toList(), EMBED_BATCH);
            for (int i = 0; i < x.length; i++) {
                out.put(batch.get(i).scanId(), x[i]);
            }
        }
        return out;
    }

    /**
     * The parent's embedding of a labelled image: from the training set where it holds it, computed by the loaded
     * parent otherwise, when asked (only the champion's scoring needs them, on the rows it is judged on).
     */
    private static Function<String, float[]> parentVectors(TrainingSet.Snapshot snapshot, Backbone parent,
                                                           List<LabelledImage> labelled) {
        Map<String, LabelledImage> images = new HashMap<>();
        labelled.forEach(i -> images.put(i.scanId(), i));
        boolean sameBackbone = parent.id().equals(snapshot.backboneId());
        Map<String, float[]> computed = new HashMap<>();
        return scanId -> {
            float[] known = sameBackbone ? snapshot.embeddings().get(scanId) : null;
            if (known != null) {
                return known;
            }
            LabelledImage image = images.get(scanId);
            return image == null ? null : computed.computeIfAbsent(scanId, id -> parent.embed(image.image()));
        };
    }

    /** The jointly trained network's own AUC on validation (informative: the version's head is retrained). */
    private static Double jointAuc(TrainedNetwork trained, DataSplit<LabelledImage> split) {
        boolean[] covid = new boolean[split.validation().size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = split.validation().get(i).covid();
        }
        try {
            return RocCurve.of(trained.validationScores(), covid).auc();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** What early stopping did; the curves' validation figures are the stopping split's when it ran. */
    private static Map<String, Object> describe(TrainedNetwork.EarlyStopOutcome e) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("stoppingRows", e.stoppingRows());
        described.put("epochOfWeights", e.epochOfWeights());
        described.put("stopped", e.stopped());
        described.put("note", e.note());
        return described;
    }

    private static Map<String, Object> describe(FullNetworkSettings n) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("architecture", n.architecture().id());
        described.put("initialisation", n.initialisation());
        described.put("initialWeights", n.initialWeights().map(Path::toString).orElse(null));
        described.put("batchNormStatistics", n.trainsBatchNormStatistics() ? "trained" : "frozen");
        described.put("epochs", n.epochs());
        described.put("batchSize", n.batchSize());
        described.put("learningRate", n.learningRate());
        described.put("seed", n.seed());
        described.put("imageSize", n.imageSize());
        described.put("augmentation", n.augmentation());
        described.put("timeBudget", n.timeBudget().toString());
        described.put("earlyStopPatience", n.earlyStop().patience());
        described.put("earlyStopFraction", n.earlyStop().fraction());
        return described;
    }
}
