package io.scanstream.evaluation.experiments;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.evaluation.Embeddings;
import io.scanstream.evaluation.Results;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.TrainedHead;
import io.scanstream.learning.train.TrainedNetwork;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.learning.validation.SourceGroupedFolds;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.evaluation.Int8Calibration;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.metrics.RocCurve;

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
 * Choosing the fine-tuning method without the validation split: source-grouped k-fold cross-validation of the
 * whole path on the train split. Per fold: fine-tune on the other folds (as the service's fine-tuning run does),
 * freeze the result, embed every scan with each candidate readout, with and without test-time flip averaging,
 * and train the service's head on the training folds as a head run would (its threshold chosen on an inner
 * group-held-out part of them); score the held-out fold. Out-of-fold scores are pooled per variant: AUC, and
 * accuracy at each fold's own threshold (never chosen on the fold it is applied to).
 *
 * <p>{@link #frozen} runs the same protocol on the pretrained weights as they are: the paired baseline, fold by fold,
 * that a fine-tuning candidate has to beat.
 */
public final class FineTuneCrossValidation {

    private static final long FOLD_SEED = 42;

    /**
     * Every held-out scan's score and the threshold applied to it, per run, fold and variant: what ensembles of
     * seeds (averaging versions) and other threshold rules are computed from afterwards, without re-training.
     */
    public static final String SCORES_FILE = "scores.csv";
    static final String SCORES_HEADER = "config,where,seed,variant,scanId,covid,score,threshold";
    /**
     * Appended to {@code where} on the rows of the inner validation side, the scans each threshold was chosen on:
     * what other threshold rules are judged from ({@code ThresholdRules}); never held-out scores.
     */
    public static final String INNER_SIDE = ":inner";

    /** Which of the training rows the backbone is fine-tuned on. */
    public enum FineTuneRows {
        /**
         * The service's path ({@code FineTuneRunPipeline}): the inner split first; the backbone fine-tuned on its
         * training side only, so the head's threshold is chosen on rows neither the backbone nor the head saw.
         */
        TRAIN_SIDE,
        /**
         * The backbone fine-tuned on every training row, the threshold rows included (how runs before 2026-12-03
         * measured): more rows for the backbone, but a threshold chosen on scores it was trained to separate.
         */
        ALL;

        public static FineTuneRows parse(String value) {
            return switch (value) {
                case "train-side" -> TRAIN_SIDE;
                case "all" -> ALL;
                default -> throw new IllegalArgumentException("--fine-tune-rows takes train-side or all, got " + value);
            };
        }
    }

    /** A way of reading the fine-tuned backbone for the head. */
    private record Variant(String name, FeatureReadout readout, boolean flip, boolean int8) {
    }

    private static final List<Variant> VARIANTS = List.of(new Variant("final", FeatureReadout.FINAL, false, false),
            new Variant("final+flip", FeatureReadout.FINAL, true, false),
            new Variant("multi-scale", FeatureReadout.MULTI_SCALE, false, false),
            new Variant("multi-scale+flip", FeatureReadout.MULTI_SCALE, true, false),
            // the served readout on the same fine-tuned weights quantised to int8, calibrated on the rows they were
            // fine-tuned on: what int8 serving would cost in accuracy, paired scan by scan with "multi-scale"
            new Variant("multi-scale int8", FeatureReadout.MULTI_SCALE, false, true));

    private final FullNetworkSettings settings;
    private final int folds;
    /** The folds to run (0-based, ascending): all of them, or a screening's few. */
    private final List<Integer> foldsToRun;
    private final GroupedSplitter innerSplit;
    private final ThresholdRule thresholdRule;
    private final Results results;
    private final boolean fineTune;
    private final FineTuneRows fineTuneRows;

    /**
     * @param foldsToRun the folds to run, 1-based (screening runs a few); out-of-fold figures then cover those
     * @param innerSplit how the head's threshold rows are held out inside the training folds (the service's rule)
     * @param thresholdRule how the threshold is chosen on those rows (the service's rule)
     * @param fineTuneRows which training rows the backbone learns from
     */
    public FineTuneCrossValidation(FullNetworkSettings settings, int folds, List<Integer> foldsToRun,
                                   GroupedSplitter innerSplit, ThresholdRule thresholdRule, FineTuneRows fineTuneRows,
                                   Results results) {
        this(settings, folds, foldsToRun, innerSplit, thresholdRule, results, true, fineTuneRows);
    }

    /** The same folds, heads, readouts and thresholds on {@code settings}' initial weights, not fine-tuned. */
    public static FineTuneCrossValidation frozen(FullNetworkSettings settings, int folds, List<Integer> foldsToRun,
                                                 GroupedSplitter innerSplit, ThresholdRule thresholdRule,
                                                 Results results) {
        return new FineTuneCrossValidation(settings, folds, foldsToRun, innerSplit, thresholdRule, results, false,
                FineTuneRows.TRAIN_SIDE);
    }

    private FineTuneCrossValidation(FullNetworkSettings settings, int folds, List<Integer> foldsToRun,
                                    GroupedSplitter innerSplit, ThresholdRule thresholdRule, Results results,
                                    boolean fineTune,
                                    FineTuneRows fineTuneRows) {
        if (settings.initialWeights().isEmpty()) {
            throw new IllegalArgumentException("the cross-validation of fine-tuning starts from pretrained weights");
        }
        this.fineTune = fineTune;
        this.fineTuneRows = fineTuneRows;
        this.settings = settings;
        this.folds = folds;
        if (foldsToRun.isEmpty() || foldsToRun.stream().anyMatch(f -> f < 1 || f > folds)) {
            throw new IllegalArgumentException("folds to run must be among 1.." + folds + ", got " + foldsToRun);
        }
        this.foldsToRun = foldsToRun.stream().distinct().sorted().map(f -> f - 1).toList();
        this.innerSplit = innerSplit;
        this.thresholdRule = thresholdRule;
        this.results = results;
    }

    public void run(String name, List<LabelledImage> train) throws IOException {
        int[] fold = SourceGroupedFolds.assign(train, folds, FOLD_SEED);
        Map<String, double[]> scores = perVariant(() -> new double[train.size()]);
        Map<String, boolean[]> correct = perVariant(() -> new boolean[train.size()]);
        List<Integer> covered = new ArrayList<>();
        long start = System.nanoTime();
        for (int f : foldsToRun) {
            List<Integer> heldIdx = new ArrayList<>();
            List<LabelledImage> fit = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                if (fold[i] == f) {
                    heldIdx.add(i);
                } else {
                    fit.add(train.get(i));
                }
            }
            runFold(name, "fold=" + (f + 1) + "/" + folds, fit, heldIdx, train, scores, correct);
            covered.addAll(heldIdx);
        }
        summarise(name, train, fold, covered, scores, correct, seconds(start));
    }

    /**
     * The chosen method scored once on the validation split: fine-tuned on {@code train} (all of it, or the
     * training side of its inner split), the head trained and its threshold chosen on {@code train} exactly as in
     * a fold, then {@code validation} scored. Nothing here is chosen on {@code validation}. Returns each variant's
     * AUC and accuracy.
     */
    public Map<String, double[]> scoreValidation(String name, List<LabelledImage> train,
                                                 List<LabelledImage> validation) throws IOException {
        List<LabelledImage> all = new ArrayList<>(train);
        all.addAll(validation);
        List<Integer> heldIdx = java.util.stream.IntStream.range(train.size(), all.size()).boxed().toList();
        Map<String, double[]> scores = perVariant(() -> new double[all.size()]);
        Map<String, boolean[]> correct = perVariant(() -> new boolean[all.size()]);
        Map<String, double[]> figures = runFold(name, "split=val", train, heldIdx, all, scores, correct);
        Map<String, Object> report = new LinkedHashMap<>();
        figures.forEach((variant, f) -> report.put(variant, Map.of("auc", f[0], "accuracy", f[1])));
        report.put("seed", settings.seed());
        report.put("thresholdRule", thresholdRule);
        report.put("settings", settings.toString());
        results.put("finetune-val:" + name + ":seed" + settings.seed(), report);
        return figures;
    }

    /** Runs one fold (or the validation split) and returns each variant's AUC and accuracy on the held-out scans. */
    private Map<String, double[]> runFold(String name, String where, List<LabelledImage> fit, List<Integer> heldIdx,
                                          List<LabelledImage> all, Map<String, double[]> scores,
                                          Map<String, boolean[]> correct) throws IOException {
        long t = System.nanoTime();
        int epochs = 0;
        TrainedNetwork.EarlyStopOutcome earlyStop = null;
        Path file = settings.initialWeights().orElseThrow();
        // One inner split for both tiers, as the service's fine-tuning and head runs share one.
        GroupedSplitter.Result<LabelledImage> inner = innerSplit.split(fit, GroupedSplitter.LABELLED_IMAGES);
        List<LabelledImage> fineTuneOn = fineTuneRows == FineTuneRows.TRAIN_SIDE ? inner.split().train() : fit;
        if (fineTune) {
            TrainedNetwork network = new FullNetworkTrainer().train(fineTuneOn, List.of(), settings, (m, total) ->
                    results.line("evaluation.finetune-cv.epoch config=%s %s epoch=%d/%d trainLoss=%.4f"
                                    + " trainAccuracy=%.3f%s seconds=%.0f", name, where, m.epoch(), total,
                            m.trainLoss(), m.trainAccuracy(), m.validationLoss() == null ? ""
                                    : String.format(" stoppingLoss=%.4f", m.validationLoss()), seconds(t)));
            epochs = network.epochs().size();
            earlyStop = network.earlyStop();
            if (earlyStop.note() != null) {
                results.line("evaluation.finetune-cv.note config=%s %s %s", name, where, earlyStop.note());
            }
            file = Files.createTempFile("finetune-cv-", ".params");
            Files.write(file, network.backboneParameters());
        }
        List<LabelledImage> held = heldIdx.stream().map(all::get).toList();
        List<String> rows = new ArrayList<>();
        try {
            for (Variant v : VARIANTS) {
                // ONNX Runtime, as inference serves a fine-tuned backbone: the same features as PyTorch's (to 1e-4,
                // CrossEngineEquivalenceTest) several times faster than the eager Java block on CPU.
                BackboneSpec spec = new BackboneSpec(settings.architecture(), Optional.of(file), v.readout())
                        .withEngine(BackboneEngine.ONNX_RUNTIME);
                try (FeatureExtractor backbone = v.int8()
                        ? FeatureExtractors.int8(spec, Int8Calibration.everyKth(fineTuneOn,
                        Int8Calibration.DEFAULT_CALIBRATION_SCANS))
                        : FeatureExtractors.load(spec, 0)) {
                    InnerSide side = scoreFold(v, backbone, fit, inner, held, heldIdx, scores.get(v.name()),
                            correct.get(v.name()));
                    for (int j = 0; j < held.size(); j++) {
                        rows.add(scoreRow(name, where, v, held.get(j), scores.get(v.name())[heldIdx.get(j)],
                                side.threshold()));
                    }
                    for (int j = 0; j < side.rows().size(); j++) {
                        rows.add(scoreRow(name, where + INNER_SIDE, v, side.rows().get(j), side.scores()[j],
                                side.threshold()));
                    }
                }
            }
        } finally {
            if (fineTune) {
                Files.deleteIfExists(file);
            }
        }
        results.appendCsv(SCORES_FILE, SCORES_HEADER, rows);
        results.line("evaluation.finetune-cv.fold config=%s %s train=%d fineTunedOn=%d held=%d epochs=%d seed=%d"
                        + " seconds=%.0f%s", name, where, fit.size(), fineTune ? fineTuneOn.size() : 0, heldIdx.size(),
                epochs, settings.seed(), seconds(t), earlyStop == null || earlyStop.stoppingRows() == 0 ? ""
                        : String.format(" stoppingRows=%d keptEpoch=%d stoppedEarly=%s", earlyStop.stoppingRows(),
                        earlyStop.epochOfWeights(), earlyStop.stopped()));
        // Each fold's figures as soon as it ends: a screening stopped part-way still says something.
        boolean[] heldCovid = new boolean[heldIdx.size()];
        for (int j = 0; j < heldCovid.length; j++) {
            heldCovid[j] = all.get(heldIdx.get(j)).covid();
        }
        Map<String, double[]> figures = new LinkedHashMap<>();
        for (Variant v : VARIANTS) {
            double[] s = heldIdx.stream().mapToDouble(i -> scores.get(v.name())[i]).toArray();
            long right = heldIdx.stream().filter(i -> correct.get(v.name())[i]).count();
            boolean both = heldIdx.stream().anyMatch(i -> all.get(i).covid())
                    && heldIdx.stream().anyMatch(i -> !all.get(i).covid());
            double auc = both ? RocCurve.of(s, heldCovid).auc() : Double.NaN;
            double accuracy = (double) right / heldIdx.size();
            results.line("evaluation.finetune-cv.fold config=%s %s variant=%s auc=%.3f accuracy=%.3f", name, where,
                    v.name(), auc, accuracy);
            figures.put(v.name(), new double[] {auc, accuracy});
        }
        return figures;
    }

    private String scoreRow(String name, String where, Variant v, LabelledImage scan, double score,
                            double threshold) {
        // Full precision: the head saturates (many scores within 1e-6 of 0 or 1), and rounding them would make
        // ties that lower the AUC computed from this file.
        return String.join(",", name, where, Long.toString(settings.seed()), v.name(), scan.scanId(),
                scan.covid() ? "1" : "0", Double.toString(score), Double.toString(threshold));
    }

    /** The inner validation side's scans and scores, and the threshold chosen on them. */
    private record InnerSide(List<LabelledImage> rows, double[] scores, double threshold) {
    }

    /**
     * The service's head on the training folds' embeddings, threshold from an inner held-out part; held fold scored.
     */
    private InnerSide scoreFold(Variant v, FeatureExtractor backbone, List<LabelledImage> fit,
                             GroupedSplitter.Result<LabelledImage> inner, List<LabelledImage> held,
                             List<Integer> heldIdx, double[] scores, boolean[] correct) {
        float[][] fitX = embed(backbone, fit, v.flip());
        float[][] heldX = embed(backbone, held, v.flip());
        Map<LabelledImage, Integer> index = new java.util.IdentityHashMap<>();
        for (int i = 0; i < fit.size(); i++) {
            index.put(fit.get(i), i);
        }
        LabelledVectors innerTrain = vectors(inner.split().train(), index, fitX);
        LabelledVectors innerVal = vectors(inner.split().validation(), index, fitX);
        TrainedHead head = new HeadTrainer().train(innerTrain, innerVal, settings.head(), EpochObserver.NONE);
        double[] innerScores = HeadScoring.score(head.architecture(), head.weights(), innerVal.features());
        double threshold = thresholdRule.threshold(innerScores, innerVal.covid());
        double[] heldScores = HeadScoring.score(head.architecture(), head.weights(), heldX);
        for (int j = 0; j < heldIdx.size(); j++) {
            scores[heldIdx.get(j)] = heldScores[j];
            correct[heldIdx.get(j)] = (heldScores[j] >= threshold) == held.get(j).covid();
        }
        return new InnerSide(inner.split().validation(), innerScores, threshold);
    }

    private void summarise(String name, List<LabelledImage> train, int[] fold, List<Integer> covered,
                           Map<String, double[]> scores, Map<String, boolean[]> correct, double seconds) {
        boolean[] covid = new boolean[covered.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = train.get(covered.get(i)).covid();
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        for (Variant v : VARIANTS) {
            double[] s = covered.stream().mapToDouble(i -> scores.get(v.name())[i]).toArray();
            long right = covered.stream().filter(i -> correct.get(v.name())[i]).count();
            double auc = RocCurve.of(s, covid).auc();
            double accuracy = (double) right / covered.size();
            // Per-fold figures give the spread; the pooled out-of-fold figure is the headline.
            List<Double> foldAucs = new ArrayList<>();
            List<Double> foldAccuracies = new ArrayList<>();
            for (int theFold : foldsToRun) {
                List<Integer> in = covered.stream().filter(i -> fold[i] == theFold).toList();
                boolean[] y = new boolean[in.size()];
                double[] fs = new double[in.size()];
                for (int j = 0; j < y.length; j++) {
                    y[j] = train.get(in.get(j)).covid();
                    fs[j] = scores.get(v.name())[in.get(j)];
                }
                boolean both = in.stream().anyMatch(i -> train.get(i).covid())
                        && in.stream().anyMatch(i -> !train.get(i).covid());
                foldAucs.add(both ? RocCurve.of(fs, y).auc() : Double.NaN);
                foldAccuracies.add((double) in.stream().filter(i -> correct.get(v.name())[i]).count() / in.size());
            }
            results.line("evaluation.finetune-cv config=%s variant=%s folds=%d/%d scans=%d outOfFoldAuc=%.3f"
                            + " outOfFoldAccuracy=%.3f foldAucs=%s foldAccuracies=%s seconds=%.0f", name, v.name(),
                    foldsToRun.size(), folds, covered.size(), auc, accuracy, rounded(foldAucs), rounded(foldAccuracies),
                    seconds);
            figures.put(v.name(), Map.of("auc", auc, "accuracy", accuracy, "foldAucs", foldAucs,
                    "foldAccuracies", foldAccuracies));
        }
        figures.put("folds", foldsToRun.size() + "/" + folds);
        figures.put("foldsRun", foldsToRun.stream().map(f -> f + 1).toList());
        figures.put("settings", fineTune ? settings.toString() : "not fine-tuned: " + settings.initialWeights().get()
                + ", head " + settings.head());
        results.put("finetune-cv:" + name, figures);
    }

    /** One fresh array per variant, by variant name, in the variants' order. */
    private static <T> Map<String, T> perVariant(java.util.function.Supplier<T> array) {
        Map<String, T> byVariant = new LinkedHashMap<>();
        VARIANTS.forEach(v -> byVariant.put(v.name(), array.get()));
        return byVariant;
    }

    private static String rounded(List<Double> values) {
        return values.stream().map(d -> String.format(java.util.Locale.ROOT, "%.3f", d)).toList().toString()
                .replace(" ", "");
    }

    private static float[][] embed(FeatureExtractor backbone, List<LabelledImage> images, boolean flip) {
        float[][] x = Embeddings.of(backbone, images);
        if (!flip) {
            return x;
        }
        float[][] mirrored = Embeddings.of(backbone, images.stream().map(i -> i.withImage(mirror(i.image())))
                .toList());
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = (x[i][j] + mirrored[i][j]) / 2;
            }
        }
        return x;
    }

    static GreyImage mirror(GreyImage image) {
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        int w = image.width();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = src[y * w + (w - 1 - x)];
            }
        }
        return new GreyImage(w, image.height(), out);
    }

    private static LabelledVectors vectors(List<LabelledImage> part, Map<LabelledImage, Integer> index,
                                           float[][] x) {
        float[][] rows = new float[part.size()][];
        boolean[] covid = new boolean[part.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = x[index.get(part.get(i))];
            covid[i] = part.get(i).covid();
        }
        return new LabelledVectors(rows, covid);
    }
}
