package io.scanstream.evaluation;

import io.scanstream.evaluation.experiments.FineTuneCrossValidation;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.model.metrics.BinaryMetrics;
import io.scanstream.model.metrics.OperatingThreshold;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Operating-threshold rules judged from scores already computed: for every fold (or the validation split), seed and
 * readout in {@code scores.csv}, each rule picks a threshold from the inner validation side's scores (the rows
 * marked {@link FineTuneCrossValidation#INNER_SIDE}, which neither the backbone nor the head trained on) and is
 * scored by its accuracy on the held-out scans. Why: the fine-tuned head saturates, so Youden's J on ~70 inner scans
 * lands anywhere in a wide gap (chosen thresholds from 0.02 to 0.96 across seeds), and accuracy is the larger gap to
 * the target. Rules:
 * <ul>
 *     <li>{@code youden}: {@link ThresholdRule#YOUDEN}, the service's rule until 2026-12-04; equals the file's own in
 *     runs made under it;</li>
 *     <li>{@code bootstrap-youden}: the median of Youden's thresholds over {@value #RESAMPLES} seeded resamples of
 *     the inner rows (a steadier estimate of the same point);</li>
 *     <li>{@code half}: 0.5, the head's probability read as it is;</li>
 *     <li>{@code prevalence}: {@link ThresholdRule#PREVALENCE}, the cut that calls as many inner scans COVID as the
 *     inner side holds (ranks only, so it is indifferent to saturation); the service's rule since it won here.</li>
 * </ul>
 *
 * <pre>
 * evaluation/run thresholds RUN_DIR/scores.csv ...
 * </pre>
 */
public final class ThresholdRules {

    static final int RESAMPLES = 500;
    private static final long RESAMPLE_SEED = 1;

    /** The rules, in the order they are printed; the first is the baseline the others are paired against. */
    static final Map<String, Function<Scored, Double>> RULES = rules();

    /** One side's scores and labels. */
    record Scored(double[] scores, boolean[] covid) {
    }

    /** One fold (or the validation split), seed and readout: each rule's threshold and held-out accuracy. */
    public record Row(String where, String variant, long seed, Map<String, Double> thresholds,
                      Map<String, Double> accuracies) {
    }

    private static Map<String, Function<Scored, Double>> rules() {
        Map<String, Function<Scored, Double>> rules = new LinkedHashMap<>();
        rules.put("youden", ThresholdRules::youden);
        rules.put("bootstrap-youden", ThresholdRules::bootstrapYouden);
        rules.put("half", inner -> 0.5);
        rules.put("prevalence", ThresholdRules::prevalence);
        return rules;
    }

    static double youden(Scored inner) {
        return ThresholdRule.YOUDEN.threshold(inner.scores(), inner.covid());
    }

    static double bootstrapYouden(Scored inner) {
        SplittableRandom random = new SplittableRandom(RESAMPLE_SEED);
        int n = inner.scores().length;
        List<Double> thresholds = new ArrayList<>();
        for (int b = 0; b < RESAMPLES; b++) {
            double[] s = new double[n];
            boolean[] c = new boolean[n];
            for (int i = 0; i < n; i++) {
                int k = random.nextInt(n);
                s[i] = inner.scores()[k];
                c[i] = inner.covid()[k];
            }
            long covidCount = positives(c);
            if (covidCount > 0 && covidCount < n) { // J needs both classes
                thresholds.add(OperatingThreshold.maximisingYoudenJ(s, c).threshold());
            }
        }
        double[] sorted = thresholds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int m = sorted.length;
        return m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    }

    /** The service's PREVALENCE rule: midway between the k-th and (k+1)-th highest inner scores, k = COVID count. */
    static double prevalence(Scored inner) {
        return ThresholdRule.PREVALENCE.threshold(inner.scores(), inner.covid());
    }

    /** Reads finetune-cv / finetune-val scores files; groups without inner rows (older runs) are skipped. */
    public static List<Row> judge(List<Path> files) throws IOException {
        // where → variant → seed → side ("held" or "inner") → rows
        Map<String, Map<String, Map<Long, Map<Boolean, List<double[]>>>>> all = new TreeMap<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split(",");
                if (c.length != 8) {
                    throw new IllegalArgumentException(file + ": not a scores row: " + line);
                }
                boolean inner = c[1].endsWith(FineTuneCrossValidation.INNER_SIDE);
                String where = inner ? c[1].substring(0, c[1].length() - FineTuneCrossValidation.INNER_SIDE.length())
                        : c[1];
                all.computeIfAbsent(where, k -> new TreeMap<>()).computeIfAbsent(c[3], k -> new TreeMap<>())
                        .computeIfAbsent(Long.parseLong(c[2]), k -> new TreeMap<>())
                        .computeIfAbsent(inner, k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(c[6]), c[5].equals("1") ? 1 : 0});
            }
        }
        List<Row> rows = new ArrayList<>();
        all.forEach((where, byVariant) -> byVariant.forEach((variant, bySeed) -> bySeed.forEach((seed, sides) -> {
            if (!sides.containsKey(true) || !sides.containsKey(false)) {
                return;
            }
            Scored inner = scored(sides.get(true));
            Scored held = scored(sides.get(false));
            long innerPositives = positives(inner.covid());
            if (innerPositives == 0 || innerPositives == inner.covid().length) {
                return; // the service falls back to 0.5 there: no rule to compare
            }
            Map<String, Double> thresholds = new LinkedHashMap<>();
            Map<String, Double> accuracies = new LinkedHashMap<>();
            RULES.forEach((rule, pick) -> {
                double t = pick.apply(inner);
                thresholds.put(rule, t);
                accuracies.put(rule, BinaryMetrics.accuracy(BinaryMetrics.confusion(held.scores(), held.covid(), t)));
            });
            rows.add(new Row(where, variant, seed, thresholds, accuracies));
        })));
        return rows;
    }

    private static long positives(boolean[] covid) {
        return BinaryMetrics.count(covid, true);
    }

    private static Scored scored(List<double[]> rows) {
        double[] s = new double[rows.size()];
        boolean[] c = new boolean[rows.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = rows.get(i)[0];
            c[i] = rows.get(i)[1] == 1;
        }
        return new Scored(s, c);
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: evaluation/run thresholds SCORES_CSV...");
            System.exit(2);
        }
        List<Row> rows = judge(Arrays.stream(args).map(Path::of).toList());
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "thresholds %s variant=%s seed=%d",
                    r.where(), r.variant(), r.seed()));
            r.thresholds().forEach((rule, t) -> line.append(String.format(Locale.ROOT, " %s=%.4g:%.3f", rule, t,
                    r.accuracies().get(rule))));
            System.out.println(line);
        }
        // Per readout: each rule's mean accuracy over every (fold, seed), and paired against the first rule with
        // the seeds averaged per fold: mean difference, its range, folds won.
        Map<String, List<Row>> byVariant = new TreeMap<>();
        rows.forEach(r -> byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r));
        String baseline = RULES.keySet().iterator().next();
        byVariant.forEach((variant, group) -> {
            Map<String, List<Row>> byWhere = new TreeMap<>();
            group.forEach(r -> byWhere.computeIfAbsent(r.where(), k -> new ArrayList<>()).add(r));
            for (String rule : RULES.keySet()) {
                double mean = group.stream().mapToDouble(r -> r.accuracies().get(rule)).average().orElse(Double.NaN);
                double[] differences = byWhere.values().stream().mapToDouble(g -> g.stream().mapToDouble(
                        r -> r.accuracies().get(rule) - r.accuracies().get(baseline)).average().orElse(0)).toArray();
                System.out.printf(Locale.ROOT, "thresholds summary variant=%s rule=%s runs=%d groups=%d"
                                + " accuracy=%.3f vs%s=%+.3f[%+.3f,%+.3f] won=%d/%d%n", variant, rule, group.size(),
                        byWhere.size(), mean, baseline, Statistics.mean(differences),
                        Arrays.stream(differences).min().orElse(Double.NaN),
                        Arrays.stream(differences).max().orElse(Double.NaN),
                        Arrays.stream(differences).filter(d -> d > 0).count(), differences.length);
            }
        });
    }
}
