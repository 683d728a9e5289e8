package io.scanstream.training.evaluation;

import io.scanstream.core.contract.Json;
import io.scanstream.core.dataset.ManifestEntry;
import io.scanstream.core.dataset.ScanManifest;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.BinaryMetrics;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.LabelledImage;
import io.scanstream.training.report.ReportPlots;
import io.scanstream.training.report.RunReport;
import io.scanstream.training.training.CyclicLearningRate;
import io.scanstream.training.training.FullNetworkSettings;
import io.scanstream.training.training.FullNetworkTrainer;
import io.scanstream.training.training.HeadScoring;
import io.scanstream.training.training.HeadTrainer;
import io.scanstream.training.training.HeadTrainingSettings;
import io.scanstream.training.training.LabelledVectors;
import io.scanstream.training.training.TrainedHead;
import io.scanstream.training.training.TrainedNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole path on a labelled data folder (the COVID-CT development split: manifest.csv with the official
 * train/val lists): preprocess every file with the shared preprocessor → embed → train → evaluate on the official
 * validation split, for three configurations:
 * <ul>
 *   <li>{@code frozen}: the ImageNet backbone frozen, the head trained on cached embeddings (the service's way), for
 *   several seeds; plus the time of the same epochs when the backbone is re-run every epoch;</li>
 *   <li>{@code fine-tune}: full-network training from the ImageNet weights, then (as a deployment would) the new
 *   backbone frozen and a head trained on its embeddings;</li>
 *   <li>{@code scratch}: full-network training from a seeded random initialisation with augmentation.</li>
 * </ul>
 * Writes a report per configuration (JSON + PNG) and a summary to the output folder and prints one line per
 * result. Without the data folder it says so and exits 0 (nothing to evaluate); without weights it skips the two
 * ImageNet configurations. Run it as documented in docs/training.md.
 */
public final class EvaluationCommand {

    static final String USAGE = """
            usage: EvaluationCommand [--data-dir DIR] [--weights FILE.pt] [--out DIR] [--configs cv,frozen,frozen-multiscale,fine-tune,scratch]
                                     [--head-epochs 30] [--head-seeds 7,8,9,10,11] [--rerun-epochs 2]
                                     [--fine-tune-epochs 10] [--scratch-epochs 30] [--scratch-image-size 128]
                                     [--full-batch-size 16] [--full-time-budget PT2H] [--limit N]
              --data-dir   folder with manifest.csv (default ../shared/data/covid-ct); absent: skipped, exit 0
              --weights    ImageNet MobileNetV2 TorchScript backbone; absent: frozen* and fine-tune are skipped
              --configs    cv: 5-fold cross-validation on the train split, folds by source (SourceGroupedFolds), of
                           the head on the final and the multi-scale readout: how the readout was chosen
              --limit      use only the first N train and N/4 val images (a smoke run)
            """;

    private final Options options;
    private final List<String> summary = new ArrayList<>();
    private final Map<String, Object> results = new LinkedHashMap<>();

    /** Parsed command line. */
    record Options(Path dataDir, Optional<Path> weights, Path out, Set<String> configs, int headEpochs,
                   List<Long> headSeeds, int rerunEpochs, int fineTuneEpochs, int scratchEpochs,
                   int scratchImageSize, int fullBatchSize, Duration fullTimeBudget, int limit) {

        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--help") || args[i].equals("-h")) {
                    throw new IllegalArgumentException("help");
                }
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value, got " + args[i]);
                }
                values.put(args[i].substring(2), args[++i]);
            }
            Set<String> configs = new LinkedHashSet<>(Arrays.asList(
                    values.getOrDefault("configs", "cv,frozen,frozen-multiscale,fine-tune,scratch").split(",")));
            List<Long> seeds = Arrays.stream(values.getOrDefault("head-seeds", "7,8,9,10,11").split(","))
                    .map(String::strip).map(Long::parseLong).toList();
            return new Options(Path.of(values.getOrDefault("data-dir", "../shared/data/covid-ct")),
                    Optional.ofNullable(values.get("weights")).map(Path::of),
                    Path.of(values.getOrDefault("out", "training-service/target/evaluation")), configs,
                    Integer.parseInt(values.getOrDefault("head-epochs", "30")), seeds,
                    Integer.parseInt(values.getOrDefault("rerun-epochs", "2")),
                    Integer.parseInt(values.getOrDefault("fine-tune-epochs", "10")),
                    Integer.parseInt(values.getOrDefault("scratch-epochs", "30")),
                    Integer.parseInt(values.getOrDefault("scratch-image-size", "128")),
                    Integer.parseInt(values.getOrDefault("full-batch-size", "16")),
                    Duration.parse(values.getOrDefault("full-time-budget", "PT2H")),
                    Integer.parseInt(values.getOrDefault("limit", "0")));
        }
    }

    EvaluationCommand(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.out.print((e.getMessage().equals("help") ? "" : e.getMessage() + "\n") + USAGE);
            System.exit(e.getMessage().equals("help") ? 0 : 2);
            return;
        }
        System.exit(new EvaluationCommand(options).run());
    }

    int run() throws IOException {
        Path manifest = options.dataDir().resolve(ScanManifest.FILE_NAME);
        if (!Files.isRegularFile(manifest)) {
            System.out.println("evaluation.skipped reason=\"no data set: " + manifest.toAbsolutePath()
                    + " does not exist; pass --data-dir DIR (a folder with manifest.csv, e.g. ../shared/data/covid-ct)\"");
            return 0;
        }
        if (options.weights().isPresent() && !Files.isRegularFile(options.weights().get())) {
            System.out.println("evaluation.failed reason=\"weights file " + options.weights().get() + " not found\"");
            return 2;
        }
        DjlEnvironment.ensureOffline();
        ReportPlots.render(List.of(), List.of()); // headless AWT before anything else touches it
        Files.createDirectories(options.out());

        long start = System.nanoTime();
        List<LabelledImage> train = new ArrayList<>();
        List<LabelledImage> validation = new ArrayList<>();
        int rejected = load(train, validation);
        double preprocessSeconds = seconds(start);
        line("evaluation.data dir=%s train=%d (covid %d) validation=%d (covid %d) rejected=%d preprocessSeconds=%.1f",
                options.dataDir(), train.size(), covid(train), validation.size(), covid(validation), rejected,
                preprocessSeconds);
        results.put("data", Map.of("train", train.size(), "validation", validation.size(),
                "trainCovid", covid(train), "validationCovid", covid(validation), "rejected", rejected,
                "preprocessSeconds", preprocessSeconds));

        boolean pretrained = options.weights().isPresent();
        if (!pretrained && (options.configs().contains("frozen") || options.configs().contains("frozen-multiscale")
                || options.configs().contains("fine-tune"))) {
            line("evaluation.skipped configs=frozen,frozen-multiscale,fine-tune reason=\"no --weights (the ImageNet"
                    + " backbone)\"");
        }
        if (pretrained && options.configs().contains("cv")) {
            crossValidation(train);
        }
        if (pretrained && options.configs().contains("frozen")) {
            frozen(train, validation);
        }
        if (pretrained && options.configs().contains("frozen-multiscale")) {
            frozenMultiScale(train, validation);
        }
        if (pretrained && options.configs().contains("fine-tune")) {
            fullNetwork("fine-tuned-imagenet", "ImageNet MobileNetV2, every layer fine-tuned (batch-norm statistics"
                    + " frozen), augmentation; then the new backbone frozen and a head trained on its embeddings",
                    new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                            FullNetworkSettings.Initialisation.PRETRAINED, options.weights(), List.of(512, 256, 128),
                            0.5, options.fineTuneEpochs(), options.fullBatchSize(), CyclicLearningRate.Mode.TRIANGULAR,
                            1e-5, 1e-4, 1, 7, 224, true, options.fullTimeBudget()), train, validation);
        }
        if (options.configs().contains("scratch")) {
            fullNetwork("scratch", "MobileNetV2 from a seeded random initialisation, every layer trained (batch-norm"
                    + " statistics learnt), augmentation, " + options.scratchImageSize() + "x"
                    + options.scratchImageSize() + " inputs; then frozen with a head trained on its embeddings",
                    new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                            FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), List.of(512, 256, 128), 0.5,
                            options.scratchEpochs(), options.fullBatchSize(), CyclicLearningRate.Mode.TRIANGULAR,
                            1e-4, 1e-3, 1, 7, options.scratchImageSize(), true, options.fullTimeBudget()),
                    train, validation);
        }
        results.put("totalSeconds", seconds(start));
        Files.write(options.out().resolve("summary.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(results));
        Files.write(options.out().resolve("summary.txt"), summary);
        line("evaluation.done out=%s totalSeconds=%.0f", options.out().toAbsolutePath(), seconds(start));
        return 0;
    }

    /** Every manifest entry through the shared preprocessor (what ingest does to a device's bytes). */
    private int load(List<LabelledImage> train, List<LabelledImage> validation) throws IOException {
        ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        int rejected = 0;
        int trainLimit = options.limit() > 0 ? options.limit() : Integer.MAX_VALUE;
        int validationLimit = options.limit() > 0 ? Math.max(8, options.limit() / 4) : Integer.MAX_VALUE;
        List<ManifestEntry> entries = new ArrayList<>(ScanManifest.read(options.dataDir()));
        if (options.limit() > 0) {
            // a smoke run still needs both classes: interleave them (k-th COVID, k-th non-COVID, ...)
            Map<ManifestEntry, Integer> order = new java.util.IdentityHashMap<>();
            Map<String, Integer> seen = new java.util.HashMap<>();
            for (ManifestEntry e : entries) {
                int rank = seen.merge(e.split() + "/" + e.label(), 1, Integer::sum) - 1;
                order.put(e, rank * 2 + e.label().ordinal());
            }
            entries.sort(java.util.Comparator.comparingInt(order::get));
        }
        for (ManifestEntry entry : entries) {
            boolean isTrain = entry.split().equals("train");
            boolean isValidation = entry.split().equals("val");
            if (!isTrain && !isValidation
                    || isTrain && train.size() >= trainLimit || isValidation && validation.size() >= validationLimit) {
                continue;
            }
            ScanPreprocessor.Result result = preprocessor.preprocess(Files.readAllBytes(entry.file()));
            if (result instanceof ScanPreprocessor.Result.Accepted accepted) {
                String id = options.dataDir().relativize(entry.file()).toString();
                LabelledImage image = new LabelledImage(id, entry.label(), entry.patientId(), accepted.scan().image());
                (isTrain ? train : validation).add(image);
            } else {
                rejected++;
                line("evaluation.rejected file=%s reason=%s", entry.file().getFileName(),
                        ((ScanPreprocessor.Result.Rejected) result).rejection());
            }
        }
        return rejected;
    }

    /** Frozen ImageNet backbone, head on cached embeddings; and the time of re-running the backbone each epoch. */
    private void frozen(List<LabelledImage> train, List<LabelledImage> validation) throws IOException {
        Path weights = options.weights().orElseThrow();
        try (FeatureExtractor backbone = FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                weights), 0)) {
            long t = System.nanoTime();
            float[][] trainX = embed(backbone, train);
            double embedTrainSeconds = seconds(t);
            t = System.nanoTime();
            float[][] validationX = embed(backbone, validation);
            double embedValidationSeconds = seconds(t);
            line("evaluation.embedded backbone=%s train=%d in %.1fs (%.1f ms/scan) validation=%d in %.1fs",
                    backbone.backboneId(), train.size(), embedTrainSeconds, 1000 * embedTrainSeconds / train.size(),
                    validation.size(), embedValidationSeconds);
            HeadOutcome head = headOnEmbeddings("frozen-imagenet", "ImageNet MobileNetV2 frozen (TorchScript), head"
                    + " trained on cached embeddings (the service's HEAD mode)", backbone.backboneId(), train,
                    validation, trainX, validationX);

            // The alternative: the backbone runs again every epoch (what training without the cache costs).
            HeadTrainingSettings one = HeadTrainingSettings.defaults().withEpochs(1);
            LabelledVectors validationVectors = vectors(validationX, validation);
            long rerunStart = System.nanoTime();
            for (int epoch = 0; epoch < options.rerunEpochs(); epoch++) {
                float[][] again = embed(backbone, train);
                new HeadTrainer().train(vectors(again, train), validationVectors, one, (m, n) -> { });
            }
            double perEpochRerun = seconds(rerunStart) / options.rerunEpochs();
            double cachedRun = head.secondsPerRun();
            double rerunRun = perEpochRerun * options.headEpochs();
            double ratio = rerunRun / cachedRun;
            line("evaluation.retraining-time epochs=%d cachedEmbeddingsSeconds=%.2f backboneEveryEpochSeconds=%.1f"
                            + " (measured %.2fs/epoch over %d epochs) ratio=%.0fx", options.headEpochs(), cachedRun,
                    rerunRun, perEpochRerun, options.rerunEpochs(), ratio);
            results.put("retrainingTime", Map.of("epochs", options.headEpochs(), "cachedEmbeddingsSeconds", cachedRun,
                    "backboneEveryEpochSeconds", rerunRun, "measuredBackboneEpochSeconds", perEpochRerun,
                    "measuredBackboneEpochs", options.rerunEpochs(), "ratio", ratio,
                    "embedTrainSeconds", embedTrainSeconds, "embedValidationSeconds", embedValidationSeconds));
        }
    }

    /**
     * Model selection without the validation split: for each readout of the frozen ImageNet backbone, the service's
     * head trained on four folds and scored on the fifth, folds keeping sources apart; the AUC of the pooled
     * out-of-fold scores per head seed, and its mean.
     */
    private void crossValidation(List<LabelledImage> train) throws IOException {
        int folds = 5;
        int[] fold = SourceGroupedFolds.assign(train, folds, 42);
        boolean[] covid = labels(train);
        Map<String, Object> cv = new LinkedHashMap<>();
        cv.put("folds", folds);
        cv.put("sources", SourceGroupedFolds.groups(train));
        for (FeatureReadout readout : FeatureReadout.values()) {
            BackboneSpec spec = BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, options.weights().orElseThrow())
                    .withReadout(readout);
            float[][] x;
            try (FeatureExtractor backbone = FeatureExtractors.load(spec, 0)) {
                x = embed(backbone, train);
            }
            double[] pooledAuc = new double[options.headSeeds().size()];
            for (int s = 0; s < pooledAuc.length; s++) {
                HeadTrainingSettings settings = HeadTrainingSettings.defaults().withEpochs(options.headEpochs())
                        .withSeed(options.headSeeds().get(s));
                double[] scores = new double[x.length];
                for (int f = 0; f < folds; f++) {
                    List<float[]> fitX = new ArrayList<>();
                    List<Boolean> fitY = new ArrayList<>();
                    List<Integer> held = new ArrayList<>();
                    for (int i = 0; i < x.length; i++) {
                        if (fold[i] == f) {
                            held.add(i);
                        } else {
                            fitX.add(x[i]);
                            fitY.add(covid[i]);
                        }
                    }
                    boolean[] fitCovid = new boolean[fitY.size()];
                    for (int i = 0; i < fitCovid.length; i++) {
                        fitCovid[i] = fitY.get(i);
                    }
                    TrainedHead head = new HeadTrainer().train(new LabelledVectors(fitX.toArray(float[][]::new),
                            fitCovid), new LabelledVectors(new float[0][], new boolean[0]), settings, (m, n) -> { });
                    double[] heldScores = HeadScoring.score(head.architecture(), head.weights(),
                            held.stream().map(i -> x[i]).toArray(float[][]::new));
                    for (int j = 0; j < held.size(); j++) {
                        scores[held.get(j)] = heldScores[j];
                    }
                }
                pooledAuc[s] = RocCurve.of(scores, covid).auc();
            }
            line("evaluation.cv readout=%s folds=%d sources=%d seeds=%d outOfFoldAuc=%.3f±%.3f perSeed=%s",
                    readout.id(), folds, SourceGroupedFolds.groups(train), pooledAuc.length, mean(pooledAuc),
                    sd(pooledAuc), Arrays.toString(Arrays.stream(pooledAuc).map(v -> Math.round(v * 1000) / 1000.0)
                            .toArray()));
            cv.put(readout.id(), Map.of("aucMean", mean(pooledAuc), "aucSd", sd(pooledAuc),
                    "perSeed", Arrays.stream(pooledAuc).boxed().toList()));
        }
        results.put("crossValidation", cv);
    }

    /**
     * The same frozen ImageNet backbone read at every stage from 1/8 resolution on ({@link FeatureReadout#MULTI_SCALE},
     * the readout chosen by source-grouped cross-validation on the training split, docs/training.md), head on
     * cached embeddings as the service trains it.
     */
    private void frozenMultiScale(List<LabelledImage> train, List<LabelledImage> validation) throws IOException {
        BackboneSpec spec = BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, options.weights().orElseThrow())
                .withReadout(FeatureReadout.MULTI_SCALE);
        try (FeatureExtractor backbone = FeatureExtractors.load(spec, 0)) {
            long t = System.nanoTime();
            float[][] trainX = embed(backbone, train);
            double embedTrainSeconds = seconds(t);
            float[][] validationX = embed(backbone, validation);
            line("evaluation.embedded backbone=%s readout=%s featureDim=%d train=%d in %.1fs (%.1f ms/scan)",
                    backbone.backboneId(), spec.readout().id(), backbone.featureDim(), train.size(), embedTrainSeconds,
                    1000 * embedTrainSeconds / train.size());
            headOnEmbeddings("frozen-imagenet-multiscale", "ImageNet MobileNetV2 frozen, multi-scale readout (every"
                    + " stage from 1/8 resolution on, pooled and concatenated: " + backbone.featureDim() + " features),"
                    + " head trained on cached embeddings (the service's HEAD mode with"
                    + " *.model.backbone-readout=multi-scale)", backbone.backboneId(), train, validation, trainX,
                    validationX);
        }
    }

    /** Full-network training, its joint evaluation, then its backbone frozen with a head on cached embeddings. */
    private void fullNetwork(String name, String description, FullNetworkSettings settings,
                             List<LabelledImage> train, List<LabelledImage> validation) throws IOException {
        line("evaluation.full-network.start config=%s epochs=%d imageSize=%d batch=%d init=%s", name,
                settings.epochs(), settings.imageSize(), settings.batchSize(), settings.initialisation());
        TrainedNetwork network = new FullNetworkTrainer().train(train, validation, settings, (m, epochs) ->
                line("evaluation.epoch config=%s epoch=%d/%d trainLoss=%.4f trainAccuracy=%.4f validationLoss=%.4f"
                                + " validationAccuracy=%.4f learningRate=%.3g", name, m.epoch(), epochs, m.trainLoss(),
                        m.trainAccuracy(), m.validationLoss(), m.validationAccuracy(), m.learningRate()));
        boolean[] covid = labels(validation);
        BinaryEvaluation joint = HeadScoring.atYoudenThreshold(network.validationScores(), covid);
        Path dir = Files.createDirectories(options.out().resolve(name));
        Path backboneFile = dir.resolve("backbone-" + settings.architecture().id() + ".params");
        Files.write(backboneFile, network.backboneParameters());
        String backboneId = settings.architecture().id() + ":"
                + Sha256.hex(network.backboneParameters()).substring(0, 12);
        double trainingSeconds = network.trainingMillis() / 1000.0;
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("initialisation", settings.initialisation());
        described.put("epochs", settings.epochs());
        described.put("epochsDone", network.epochs().size());
        described.put("imageSize", settings.imageSize());
        described.put("batchSize", settings.batchSize());
        described.put("learningRate", Map.of("mode", settings.mode(), "base", settings.baseLearningRate(),
                "max", settings.maxLearningRate(), "stepSizeEpochs", settings.stepSizeEpochs()));
        described.put("augment", settings.augment());
        described.put("batchNormStatistics", settings.trainsBatchNormStatistics() ? "trained" : "frozen");
        write(name + "-joint", new EvaluationReport(name + "-joint", description + " (the jointly trained network)",
                backboneId, train.size(), validation.size(), described, network.epochs(),
                RunReport.Evaluation.of(joint, RunReport.THRESHOLD_RULE), accuracyAtHalf(network.validationScores(),
                covid), List.of(), Map.of("training", trainingSeconds, "perEpoch",
                trainingSeconds / network.epochs().size()), Map.of("backboneFile", backboneFile.toString(),
                "stoppedByTimeBudget", network.stoppedByBudget())), network.epochs(), joint);
        result(name + "-joint", joint, accuracyAtHalf(network.validationScores(), covid), trainingSeconds);

        // As deployed: the new backbone frozen, embeddings cached, the service's head trained on them.
        try (FeatureExtractor backbone = FeatureExtractors.load(BackboneSpec.of(settings.architecture(),
                backboneFile), 0)) {
            List<LabelledImage> trainSized = resized(train, settings.imageSize());
            List<LabelledImage> validationSized = resized(validation, settings.imageSize());
            headOnEmbeddings(name, description, backbone.backboneId(), train, validation,
                    embed(backbone, trainSized), embed(backbone, validationSized));
        }
    }

    /** The service's head training on cached embeddings, for each seed; the report holds the first seed's run. */
    private HeadOutcome headOnEmbeddings(String name, String description, String backboneId,
                                         List<LabelledImage> train, List<LabelledImage> validation,
                                         float[][] trainX, float[][] validationX) throws IOException {
        LabelledVectors trainVectors = vectors(trainX, train);
        LabelledVectors validationVectors = vectors(validationX, validation);
        List<Map<String, Object>> perSeed = new ArrayList<>();
        TrainedHead first = null;
        BinaryEvaluation firstEvaluation = null;
        double firstAtHalf = 0;
        double seconds = 0;
        for (long seed : options.headSeeds()) {
            HeadTrainingSettings settings = HeadTrainingSettings.defaults().withEpochs(options.headEpochs())
                    .withSeed(seed);
            long t = System.nanoTime();
            TrainedHead head = new HeadTrainer().train(trainVectors, validationVectors, settings, (m, n) -> { });
            seconds += seconds(t);
            double[] scores = HeadScoring.score(head.architecture(), head.weights(), validationX);
            BinaryEvaluation evaluation = HeadScoring.atYoudenThreshold(scores, validationVectors.covid());
            double atHalf = accuracyAtHalf(scores, validationVectors.covid());
            perSeed.add(Map.of("seed", seed, "auc", evaluation.auc(), "accuracy", evaluation.accuracy(),
                    "f1", evaluation.f1(), "accuracyAtHalf", atHalf, "threshold", evaluation.threshold()));
            if (first == null) {
                first = head;
                firstEvaluation = evaluation;
                firstAtHalf = atHalf;
            }
        }
        double perRun = seconds / options.headSeeds().size();
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("headTrainingPerRun", perRun);
        write(name, new EvaluationReport(name, description, backboneId, train.size(), validation.size(),
                Map.of("head", HeadTrainingSettings.defaults().withEpochs(options.headEpochs()),
                        "seeds", options.headSeeds()), first.epochs(),
                RunReport.Evaluation.of(firstEvaluation, RunReport.THRESHOLD_RULE), firstAtHalf, perSeed, timings,
                Map.of()), first.epochs(), firstEvaluation);
        double[] auc = perSeed.stream().mapToDouble(m -> (double) m.get("auc")).toArray();
        double[] accuracy = perSeed.stream().mapToDouble(m -> (double) m.get("accuracy")).toArray();
        double[] f1 = perSeed.stream().mapToDouble(m -> (double) m.get("f1")).toArray();
        line("evaluation.result config=%s backbone=%s seeds=%d valAuc=%.3f±%.3f valAccuracy=%.3f±%.3f"
                        + " valF1=%.3f±%.3f (first seed: auc=%.3f accuracy=%.3f f1=%.3f sensitivity=%.3f specificity=%.3f"
                        + " threshold=%.3f accuracyAt0.5=%.3f) headSecondsPerRun=%.2f", name, backboneId,
                perSeed.size(), mean(auc), sd(auc), mean(accuracy), sd(accuracy), mean(f1), sd(f1),
                firstEvaluation.auc(), firstEvaluation.accuracy(), firstEvaluation.f1(),
                firstEvaluation.sensitivity(), firstEvaluation.specificity(), firstEvaluation.threshold(),
                firstAtHalf, perRun);
        results.put(name, Map.of("backboneId", backboneId, "aucMean", mean(auc), "aucSd", sd(auc),
                "accuracyMean", mean(accuracy), "accuracySd", sd(accuracy), "f1Mean", mean(f1), "f1Sd", sd(f1),
                "perSeed", perSeed, "headSecondsPerRun", perRun));
        return new HeadOutcome(perRun);
    }

    private record HeadOutcome(double secondsPerRun) {
    }

    private void result(String name, BinaryEvaluation e, double atHalf, double seconds) {
        line("evaluation.result config=%s valAuc=%.3f valAccuracy=%.3f valF1=%.3f sensitivity=%.3f specificity=%.3f"
                        + " threshold=%.3f accuracyAt0.5=%.3f trainingSeconds=%.0f", name, e.auc(), e.accuracy(), e.f1(),
                e.sensitivity(), e.specificity(), e.threshold(), atHalf, seconds);
        results.put(name, Map.of("auc", e.auc(), "accuracy", e.accuracy(), "f1", e.f1(), "sensitivity",
                e.sensitivity(), "specificity", e.specificity(), "threshold", e.threshold(), "accuracyAtHalf", atHalf,
                "trainingSeconds", seconds));
    }

    private void write(String name, EvaluationReport report, List<io.scanstream.core.artifact.EpochMetrics> epochs,
                       BinaryEvaluation evaluation) throws IOException {
        Path dir = Files.createDirectories(options.out().resolve(name));
        Map<String, byte[]> plots = ReportPlots.render(epochs, List.of(new ReportPlots.NamedRoc(name,
                new RocCurve(evaluation.roc(), evaluation.auc()))));
        for (Map.Entry<String, byte[]> plot : plots.entrySet()) {
            Files.write(dir.resolve(plot.getKey()), plot.getValue());
        }
        Files.write(dir.resolve("report.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
    }

    private static float[][] embed(FeatureExtractor backbone, List<LabelledImage> images) {
        int batch = 16;
        float[][] out = new float[images.size()][];
        for (int from = 0; from < images.size(); from += batch) {
            int size = Math.min(batch, images.size() - from);
            List<GreyImage> chunk = images.subList(from, from + size).stream().map(LabelledImage::image).toList();
            float[][] features = backbone.embed(chunk, batch); // one shape for libtorch: always padded to 16
            System.arraycopy(features, 0, out, from, size);
        }
        return out;
    }

    private static List<LabelledImage> resized(List<LabelledImage> images, int size) {
        return images.stream().map(i -> i.image().width() == size ? i : new LabelledImage(i.scanId(), i.label(),
                i.patient(), io.scanstream.core.imaging.AntialiasedResizer.resize(i.image(), size, size))).toList();
    }

    private static LabelledVectors vectors(float[][] x, List<LabelledImage> images) {
        return new LabelledVectors(x, labels(images));
    }

    private static boolean[] labels(List<LabelledImage> images) {
        boolean[] covid = new boolean[images.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = images.get(i).covid();
        }
        return covid;
    }

    private static double accuracyAtHalf(double[] scores, boolean[] covid) {
        return BinaryMetrics.accuracy(BinaryMetrics.confusion(scores, covid, 0.5));
    }

    private static long covid(List<LabelledImage> images) {
        return images.stream().filter(LabelledImage::covid).count();
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void line(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        summary.add(line);
    }
}
