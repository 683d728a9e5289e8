package io.scanstream.learning.evaluate;

import io.scanstream.model.metrics.BinaryEvaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Bootstrap over groups (patients / origins), not rows: scans of one group are not independent, so resampling
 * rows would make intervals too narrow. Each resample draws as many groups as there are, with replacement, and
 * takes all their rows; a resample that lacks a class (no AUC) is drawn again. Seeded: the same inputs give the
 * same intervals.
 */
public final class GroupBootstrap {

    /** A point estimate with its percentile interval. */
    public record Interval(double estimate, double lower, double upper) {
    }

    /** AUC, accuracy, sensitivity and specificity (at the given threshold), each with its interval. */
    public record Figures(Interval auc, Interval accuracy, Interval sensitivity, Interval specificity,
                          double level, int resamples, int groups) {
    }

    /** A paired comparison of two models on the same rows: the difference of a metric, challenger − champion. */
    public record Comparison(Interval difference, double pChallengerNotBetter, double pChallengerNotWorse,
                             int rows, int groups, int resamples) {
    }

    private static final int MAX_REDRAWS = 100;

    private final int resamples;
    private final double level;
    private final long seed;

    /** @param level e.g. 0.95 for a 95% interval */
    public GroupBootstrap(int resamples, double level, long seed) {
        if (resamples < 1 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException("resamples >= 1 and level in (0, 1) needed");
        }
        this.resamples = resamples;
        this.level = level;
        this.seed = seed;
    }

    public Figures figures(double[] scores, boolean[] covid, List<String> groups, double threshold) {
        List<BinaryEvaluation> resampled = draws(covid, groups).stream()
                .map(rows -> at(scores, covid, rows, threshold)).toList();
        BinaryEvaluation observed = at(scores, covid, all(covid.length), threshold);
        return new Figures(interval(observed.auc(), resampled, BinaryEvaluation::auc),
                interval(observed.accuracy(), resampled, BinaryEvaluation::accuracy),
                interval(observed.sensitivity(), resampled, BinaryEvaluation::sensitivity),
                interval(observed.specificity(), resampled, BinaryEvaluation::specificity),
                level, resampled.size(), distinct(groups));
    }

    /** A figure of scores against labels (AUC, or a figure at a threshold the statistic chooses itself). */
    @FunctionalInterface
    public interface Statistic {
        double of(double[] scores, boolean[] covid);
    }

    /**
     * Paired comparison on the same rows: the difference of the statistic (challenger − champion) with its
     * interval, and the bootstrap's one-sided p-values (the share of resamples, plus one, in which the challenger
     * is not better, or not worse, than the champion).
     */
    public Comparison compare(double[] challenger, double[] champion, boolean[] covid, List<String> groups,
                              Statistic statistic) {
        List<int[]> draws = draws(covid, groups);
        double[] differences = new double[draws.size()];
        for (int i = 0; i < differences.length; i++) {
            int[] rows = draws.get(i);
            differences[i] = statistic.of(pick(challenger, rows), pick(covid, rows))
                    - statistic.of(pick(champion, rows), pick(covid, rows));
        }
        double observed = statistic.of(challenger, covid) - statistic.of(champion, covid);
        long notBetter = Arrays.stream(differences).filter(d -> d <= 0).count();
        long notWorse = Arrays.stream(differences).filter(d -> d >= 0).count();
        return new Comparison(percentiles(observed, differences), (notBetter + 1.0) / (differences.length + 1),
                (notWorse + 1.0) / (differences.length + 1), covid.length, distinct(groups), differences.length);
    }

    private Interval interval(double estimate, List<BinaryEvaluation> resampled,
                              ToDoubleFunction<BinaryEvaluation> statistic) {
        return percentiles(estimate, resampled.stream().mapToDouble(statistic).toArray());
    }

    private Interval percentiles(double estimate, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double tail = (1 - level) / 2;
        return new Interval(estimate, quantile(sorted, tail), quantile(sorted, 1 - tail));
    }

    /** Row indices of each resample; resamples lacking a class are redrawn (at most 100 times each). */
    private List<int[]> draws(boolean[] covid, List<String> groups) {
        Map<String, List<Integer>> rowsOf = new LinkedHashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            rowsOf.computeIfAbsent(groups.get(i), g -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> members = new ArrayList<>(rowsOf.values());
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> draws = new ArrayList<>(resamples);
        for (int r = 0; r < resamples; r++) {
            for (int attempt = 0; attempt < MAX_REDRAWS; attempt++) {
                List<Integer> rows = new ArrayList<>();
                for (int g = 0; g < members.size(); g++) {
                    rows.addAll(members.get(random.nextInt(members.size())));
                }
                int[] drawn = rows.stream().mapToInt(Integer::intValue).toArray();
                if (bothClasses(covid, drawn)) {
                    draws.add(drawn);
                    break;
                }
            }
        }
        return draws;
    }

    private static boolean bothClasses(boolean[] covid, int[] rows) {
        boolean positive = false;
        boolean negative = false;
        for (int r : rows) {
            positive |= covid[r];
            negative |= !covid[r];
        }
        return positive && negative;
    }

    private static BinaryEvaluation at(double[] scores, boolean[] covid, int[] rows, double threshold) {
        return BinaryEvaluation.at(pick(scores, rows), pick(covid, rows), threshold);
    }

    private static double[] pick(double[] values, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    private static boolean[] pick(boolean[] values, int[] rows) {
        boolean[] out = new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    private static int[] all(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return rows;
    }

    private static int distinct(List<String> groups) {
        return (int) groups.stream().distinct().count();
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
