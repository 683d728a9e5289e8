package io.scanstream.evaluation;

import io.scanstream.core.dataset.ScanManifest;
import io.scanstream.evaluation.experiments.ContrastivePretraining;
import io.scanstream.evaluation.experiments.CrossValidation;
import io.scanstream.evaluation.experiments.FineTuneCrossValidation;
import io.scanstream.evaluation.experiments.FrozenBackbone;
import io.scanstream.evaluation.experiments.FullNetworkExperiment;
import io.scanstream.learning.report.ReportPlots;
import io.scanstream.learning.settings.LearningConfig;
import io.scanstream.learning.settings.TrainerSettings;
import io.scanstream.learning.train.ContrastiveSettings;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.ImageAugmentation;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.FeatureReadout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.scanstream.evaluation.Statistics.seconds;

/**
 * The whole learning path on a labelled data folder (the COVID-CT development split: manifest.csv with the official
 * train/val lists), with the training service's settings: preprocess every file with the shared preprocessor →
 * embed → train → score on the official validation split, for the configurations chosen with {@code --configs}:
 * <ul>
 *   <li>{@code cv}: source-grouped cross-validation on the train split (how settings are chosen without val);</li>
 *   <li>{@code frozen}, {@code frozen-multiscale}: the ImageNet backbone frozen, the head on cached embeddings;</li>
 *   <li>{@code fine-tune}: full-network training from the ImageNet weights, then its backbone frozen + head;</li>
 *   <li>{@code scratch}: full-network training from a seeded random initialisation with augmentation;</li>
 *   <li>{@code finetune-cv}, {@code frozen-cv}, {@code finetune-val}: choosing fine-tuning on train, scoring it on
 *   val once;</li>
 *   <li>{@code contrastive}: SimCLR pretraining of the weights on the train images, labels unused.</li>
 * </ul>
 * Without the data folder it says so and exits 0 (nothing to evaluate); without weights it skips the ImageNet
 * configurations. Run it with {@code evaluation/run} (docs/training.md, docs/benchmarks.md).
 */
public final class EvaluationCommand {

    /** SimCLR wants large batches; 2 x 32 views at 112 px is what a 2-core CPU takes in reasonable time. */
    private static final int CONTRASTIVE_PAIRS_PER_BATCH = 32;
    private static final float CONTRASTIVE_TEMPERATURE = 0.2f;
    private static final int CONTRASTIVE_PROJECTION = 128;

    private final EvaluationOptions options;
    private final Results results;

    EvaluationCommand(EvaluationOptions options) {
        this.options = options;
        this.results = new Results(options.out());
    }

    public static void main(String[] args) throws Exception {
        EvaluationOptions options;
        try {
            options = EvaluationOptions.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = "help".equals(e.getMessage());
            System.out.print((help ? "" : e.getMessage() + "\n") + EvaluationOptions.USAGE);
            System.exit(help ? 0 : 2);
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
        DjlEnvironment.configure();
        ReportPlots.render(List.of(), List.of()); // headless AWT before anything else touches it
        Files.createDirectories(options.out());
        long start = System.nanoTime();
        DevelopmentSet data = DevelopmentSet.load(options.dataDir(), options.limit(), results);
        results.line("evaluation.data dir=%s train=%d (covid %d) validation=%d (covid %d) rejected=%d"
                        + " preprocessSeconds=%.1f", options.dataDir(), data.train().size(),
                DevelopmentSet.covid(data.train()), data.validation().size(), DevelopmentSet.covid(data.validation()),
                data.rejected(), data.preprocessSeconds());
        results.put("data", Map.of("train", data.train().size(), "validation", data.validation().size(),
                "trainCovid", DevelopmentSet.covid(data.train()), "validationCovid",
                DevelopmentSet.covid(data.validation()), "rejected", data.rejected(), "preprocessSeconds",
                data.preprocessSeconds()));
        runExperiments(data);
        results.put("totalSeconds", seconds(start));
        results.writeSummary();
        results.line("evaluation.done out=%s totalSeconds=%.0f", options.out().toAbsolutePath(), seconds(start));
        return 0;
    }

    private void runExperiments(DevelopmentSet data) throws IOException {
        LearningConfig learning = options.learning(Map.of());
        HeadTrainingSettings head = TrainerSettings.head(learning);
        Optional<Path> weights = options.weights();
        if (weights.isEmpty() && (options.wants("cv") || options.wants("frozen")
                || options.wants("frozen-multiscale") || options.wants("fine-tune"))) {
            results.line("evaluation.skipped configs=cv,frozen,frozen-multiscale,fine-tune reason=\"no --weights"
                    + " (the ImageNet backbone)\"");
        }
        if (weights.isPresent() && options.wants("cv")) {
            new CrossValidation(weights.get(), head, options.headSeeds(), results).run(data.train());
        }
        FrozenBackbone frozen = weights.map(w -> new FrozenBackbone(w, head, options.headSeeds(),
                options.rerunEpochs(), results)).orElse(null);
        if (frozen != null && options.wants("frozen")) {
            frozen.run(data, FeatureReadout.FINAL);
        }
        if (frozen != null && options.wants("frozen-multiscale")) {
            frozen.run(data, FeatureReadout.MULTI_SCALE);
        }
        if (weights.isPresent() && options.wants("fine-tune")) {
            FullNetworkSettings settings = fineTuning(weights, Map.of());
            String layers = settings.frozenBlocks() == 0 ? "every layer"
                    : "all but the first " + settings.frozenBlocks() + " blocks";
            new FullNetworkExperiment(settings, options.headSeeds(), results)
                    .run("fine-tuned-imagenet", "ImageNet MobileNetV2, " + layers + " fine-tuned (batch-norm"
                            + " statistics frozen), augmentation; then the new backbone frozen and a head trained on"
                            + " its embeddings", data);
        }
        if (options.wants("scratch")) {
            scratch(data);
        }
        if (weights.isPresent() && options.wants("contrastive")) {
            contrastive(data, weights);
        }
        if (weights.isPresent() && options.wants("finetune-val")) {
            fineTuneValidation(data, weights, learning);
        }
        if (weights.isPresent() && (options.wants("finetune-cv") || options.wants("frozen-cv"))) {
            FullNetworkSettings fineTuning = fineTuning(weights, Map.of());
            if (options.wants("frozen-cv")) {
                FineTuneCrossValidation.frozen(fineTuning, options.cvFolds(), options.cvFoldsToRun(),
                        TrainerSettings.splitter(learning), learning.validation().thresholdRule(), results)
                        .run("frozen", data.train());
            }
            if (options.wants("finetune-cv")) {
                new FineTuneCrossValidation(fineTuning, options.cvFolds(), options.cvFoldsToRun(),
                        TrainerSettings.splitter(learning), learning.validation().thresholdRule(),
                        options.fineTuneRows(), results).run(options.name(), data.train());
            }
        }
    }

    /** Fine-tuning MobileNetV2 from {@code weights}: the settings, {@code --fine-tune-epochs}, and {@code more}. */
    private FullNetworkSettings fineTuning(Optional<Path> weights, Map<String, String> more) {
        Map<String, String> settings = new LinkedHashMap<>(more);
        settings.put("training.full-network.initialisation", "PRETRAINED");
        settings.put("training.full-network.epochs", String.valueOf(options.fineTuneEpochs()));
        return TrainerSettings.fullNetwork(options.learning(settings), BackboneArchitecture.MOBILENET_V2, weights);
    }

    /**
     * The method chosen by {@code finetune-cv}, scored once on the validation split per fine-tuning seed (each seed
     * seeds the whole run: initialisation of the head, shuffling, augmentation, dropout), then the spread over seeds.
     */
    private void fineTuneValidation(DevelopmentSet data, Optional<Path> weights, LearningConfig learning)
            throws IOException {
        Map<String, List<double[]>> perVariant = new LinkedHashMap<>();
        for (long seed : options.fineTuneSeeds()) {
            FullNetworkSettings settings = fineTuning(weights, Map.of("training.head.seed", String.valueOf(seed)));
            new FineTuneCrossValidation(settings, options.cvFolds(), options.cvFoldsToRun(),
                    TrainerSettings.splitter(learning), learning.validation().thresholdRule(), options.fineTuneRows(),
                    results).scoreValidation(options.name(), data.train(), data.validation())
                    .forEach((variant, figures) -> perVariant.computeIfAbsent(variant, k -> new ArrayList<>())
                            .add(figures));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        perVariant.forEach((variant, runs) -> {
            double[] aucs = runs.stream().mapToDouble(r -> r[0]).toArray();
            double[] accuracies = runs.stream().mapToDouble(r -> r[1]).toArray();
            results.line("evaluation.finetune-val config=%s variant=%s seeds=%s valAuc=%.3f±%.3f"
                            + " valAccuracy=%.3f±%.3f aucs=%s accuracies=%s", options.name(), variant,
                    options.fineTuneSeeds(), Statistics.mean(aucs), Statistics.sd(aucs), Statistics.mean(accuracies),
                    Statistics.sd(accuracies), java.util.Arrays.toString(aucs), java.util.Arrays.toString(accuracies));
            summary.put(variant, Map.of("aucMean", Statistics.mean(aucs), "aucSd", Statistics.sd(aucs),
                    "accuracyMean", Statistics.mean(accuracies), "accuracySd", Statistics.sd(accuracies),
                    "aucs", aucs, "accuracies", accuracies));
        });
        summary.put("seeds", options.fineTuneSeeds());
        results.put("finetune-val:" + options.name(), summary);
    }

    /** SimCLR views of the train images, 32 per step, temperature 0.2, with fine-tuning's rate schedule. */
    private void contrastive(DevelopmentSet data, Optional<Path> weights) throws IOException {
        FullNetworkSettings fineTuning = fineTuning(weights, Map.of());
        ContrastiveSettings settings = new ContrastiveSettings(fineTuning.architecture(), weights,
                options.contrastiveEpochs(), CONTRASTIVE_PAIRS_PER_BATCH, options.contrastiveImageSize(),
                CONTRASTIVE_TEMPERATURE, CONTRASTIVE_PROJECTION, ImageAugmentation.Strength.CONTRASTIVE,
                fineTuning.learningRate(), fineTuning.seed());
        new ContrastivePretraining(settings, results).run("contrastive", data.train());
    }

    /** From a random initialisation the network needs ten times fine-tuning's rates, and smaller inputs on CPU. */
    private void scratch(DevelopmentSet data) throws IOException {
        new FullNetworkExperiment(TrainerSettings.fullNetwork(options.learning(Map.of(
                "training.full-network.initialisation", "SCRATCH",
                "training.full-network.epochs", String.valueOf(options.scratchEpochs()),
                "training.full-network.image-size", String.valueOf(options.scratchImageSize()),
                "training.full-network.base-learning-rate", "0.0001",
                "training.full-network.max-learning-rate", "0.001")), BackboneArchitecture.MOBILENET_V2,
                Optional.empty()), options.headSeeds(), results)
                .run("scratch", "MobileNetV2 from a seeded random initialisation, every layer trained (batch-norm"
                        + " statistics learnt), augmentation, " + options.scratchImageSize() + "x"
                        + options.scratchImageSize() + " inputs; then frozen with a head trained on its embeddings",
                        data);
    }
}
