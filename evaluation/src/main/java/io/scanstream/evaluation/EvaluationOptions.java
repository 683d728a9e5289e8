package io.scanstream.evaluation;

import io.scanstream.evaluation.experiments.FineTuneCrossValidation;
import io.scanstream.learning.settings.LearningConfig;
import io.scanstream.learning.settings.TrainerSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The evaluation's command line. Training settings are the service's ({@link LearningConfig}, same defaults); the
 * options below that change them are named shortcuts for their {@code training.*} keys, and {@code --set key=value}
 * sets any other.
 */
public record EvaluationOptions(Path dataDir, Optional<Path> weights, Path out, Set<String> configs,
                                List<Long> headSeeds, int rerunEpochs, int fineTuneEpochs, int scratchEpochs,
                                int scratchImageSize, int limit, Map<String, String> settings, int cvFolds,
                                List<Integer> cvFoldsToRun, String name, List<Long> fineTuneSeeds,
                                int contrastiveEpochs, int contrastiveImageSize,
                                FineTuneCrossValidation.FineTuneRows fineTuneRows) {

    public static final String USAGE = """
            usage: evaluation/run [--data-dir DIR] [--weights FILE.pt] [--out DIR]
                                  [--configs cv,frozen,frozen-multiscale,fine-tune,scratch] [--head-seeds 7,8,9,10,11]
                                  [--head-epochs N] [--rerun-epochs 2] [--fine-tune-epochs 10] [--scratch-epochs 30]
                                  [--scratch-image-size 128] [--full-batch-size N] [--full-time-budget PT2H]
                                  [--limit N] [--set training.KEY=VALUE ...] [--cv-folds 5] [--cv-fold-limit N]
                                  [--cv-run-folds 1,2]
                                  [--name LABEL] [--fine-tune-seeds 7,8,9] [--fine-tune-rows train-side|all]
                                  [--contrastive-epochs 10] [--contrastive-image-size 112]
              --data-dir   folder with manifest.csv (default ../shared/data/covid-ct); absent: skipped, exit 0
              --weights    ImageNet MobileNetV2 TorchScript backbone; absent: cv, frozen* and fine-tune are skipped
              --configs    cv: 5-fold cross-validation on the train split, folds by source (SourceGroupedFolds), of
                           the head on the final and the multi-scale readout: how the readout was chosen
              --head-epochs, --full-batch-size, --full-time-budget: training.head.epochs,
                           training.full-network.batch-size, training.full-network.time-budget
              --set        any training.* setting of the service (defaults: scan-learning's LearningConfig)
              --limit      use only the first N train and N/4 val images (a smoke run)
              finetune-cv  (a config) source-grouped cross-validation of fine-tuning on the train split: per fold,
                           fine-tune, freeze, the service's head on each readout with and without flip averaging;
                           --cv-fold-limit N runs only folds 1..N, --cv-run-folds the listed ones (1-based), for
                           screening or to finish a run that stopped; --name labels the candidate
              frozen-cv    (a config) the same protocol on --weights as they are: the fold-by-fold baseline
              finetune-val (a config) the chosen method once on the val split, per --fine-tune-seeds (default 7):
                           fine-tuned on train, head and threshold as in a fold, val scored; mean ± sd
              --fine-tune-rows  for finetune-cv and finetune-val: train-side (default, the service's path) fine-tunes
                           on the training side of the inner split only, so the head's threshold rows are scans the
                           backbone never saw; all fine-tunes on every training row (runs before 2026-12-03)
              contrastive  (a config) self-supervised SimCLR pretraining of --weights on the train split's images,
                           labels unused, --contrastive-epochs at --contrastive-image-size; writes
                           contrastive/backbone-mobilenet_v2.params, a --weights for finetune-cv or finetune-val
            """;

    /** @throws IllegalArgumentException with message "help" for --help, or what is wrong */
    public static EvaluationOptions parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                throw new IllegalArgumentException("help");
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            String name = args[i].substring(2);
            String value = args[++i];
            if (name.equals("set")) {
                int eq = value.indexOf('=');
                if (eq < 1 || !value.startsWith("training.")) {
                    throw new IllegalArgumentException("--set takes training.KEY=VALUE, got " + value);
                }
                settings.put(value.substring(0, eq), value.substring(eq + 1));
            } else {
                values.put(name, value);
            }
        }
        shortcut(values, "head-epochs", settings, "training.head.epochs");
        shortcut(values, "full-batch-size", settings, "training.full-network.batch-size");
        shortcut(values, "full-time-budget", settings, "training.full-network.time-budget");
        return new EvaluationOptions(Path.of(values.getOrDefault("data-dir", "../shared/data/covid-ct")),
                Optional.ofNullable(values.get("weights")).map(Path::of),
                Path.of(values.getOrDefault("out", "evaluation/target/evaluation")),
                new LinkedHashSet<>(Arrays.asList(values.getOrDefault("configs",
                        "cv,frozen,frozen-multiscale,fine-tune,scratch").split(","))),
                Arrays.stream(values.getOrDefault("head-seeds", "7,8,9,10,11").split(","))
                        .map(String::strip).map(Long::parseLong).toList(),
                Integer.parseInt(values.getOrDefault("rerun-epochs", "2")),
                Integer.parseInt(values.getOrDefault("fine-tune-epochs", "10")),
                Integer.parseInt(values.getOrDefault("scratch-epochs", "30")),
                Integer.parseInt(values.getOrDefault("scratch-image-size", "128")),
                Integer.parseInt(values.getOrDefault("limit", "0")), Map.copyOf(settings),
                Integer.parseInt(values.getOrDefault("cv-folds", "5")),
                foldsToRun(values),
                values.getOrDefault("name", "candidate"),
                Arrays.stream(values.getOrDefault("fine-tune-seeds", "7").split(","))
                        .map(String::strip).map(Long::parseLong).toList(),
                Integer.parseInt(values.getOrDefault("contrastive-epochs", "10")),
                Integer.parseInt(values.getOrDefault("contrastive-image-size", "112")),
                FineTuneCrossValidation.FineTuneRows.parse(values.getOrDefault("fine-tune-rows", "train-side")));
    }

    /** 1-based: --cv-run-folds as listed, else 1..--cv-fold-limit, else every fold. */
    private static List<Integer> foldsToRun(Map<String, String> values) {
        int folds = Integer.parseInt(values.getOrDefault("cv-folds", "5"));
        if (values.containsKey("cv-run-folds")) {
            return Arrays.stream(values.get("cv-run-folds").split(",")).map(String::strip).map(Integer::parseInt)
                    .toList();
        }
        int limit = Math.min(folds, Integer.parseInt(values.getOrDefault("cv-fold-limit", String.valueOf(folds))));
        return java.util.stream.IntStream.rangeClosed(1, limit).boxed().toList();
    }

    private static void shortcut(Map<String, String> values, String option, Map<String, String> settings,
                                 String key) {
        String value = values.remove(option);
        if (value != null) {
            settings.put(key, value);
        }
    }

    /** The service's learning settings with this run's changes, plus {@code more} on top. */
    public LearningConfig learning(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(more);
        return TrainerSettings.from(all);
    }

    public boolean wants(String config) {
        return configs.contains(config);
    }

    /** The full-network time budget as configured (for the reports). */
    public Duration fullTimeBudget() {
        return learning(Map.of()).fullNetwork().timeBudget();
    }
}
