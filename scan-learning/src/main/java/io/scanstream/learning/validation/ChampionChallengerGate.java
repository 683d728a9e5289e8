package io.scanstream.learning.validation;

import io.scanstream.learning.evaluate.GroupBootstrap;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a new version replaces the one in service. Both are judged on the <b>same rows, which neither
 * was trained on</b> (the current validation rows minus the champion's lineage), with a <b>paired</b> group
 * bootstrap of the metric's difference:
 * <ol>
 *   <li>the challenger significantly better (one-sided, {@code alpha}) → it is published;</li>
 *   <li>significantly worse → the champion stays;</li>
 *   <li>no significant difference → the model trained on more labels wins (on equal labels the champion stays: a
 *   swap would change nothing that can be shown), so noise can never freeze a model trained on a tenth of the
 *   data.</li>
 * </ol>
 * With no comparable champion (none yet, another backbone, a damaged record) the challenger is published; with too
 * few shared rows to compare (a class missing), rule 3 decides. Disabled, every trained version is published.
 */
public final class ChampionChallengerGate {

    /** The champion, scored on the rows shared with the challenger. */
    public record Champion(String version, int trainSize) {
    }

    /**
     * Both models' scores on the shared rows (rows of the challenger's validation split the champion was not
     * trained on), their labels and groups.
     */
    public record SharedRows(double[] challenger, double[] champion, boolean[] covid, List<String> groups) {

        boolean comparable() {
            boolean positive = false;
            boolean negative = false;
            for (boolean c : covid) {
                positive |= c;
                negative |= !c;
            }
            return positive && negative;
        }
    }

    private final boolean enabled;
    private final GateMetric metric;
    private final double alpha;
    private final GroupBootstrap bootstrap;

    /**
     * @param alpha     one-sided significance level of "better" and of "worse"
     * @param resamples bootstrap resamples of the paired comparison
     */
    public ChampionChallengerGate(boolean enabled, GateMetric metric, double alpha, int resamples, long seed) {
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
        }
        this.enabled = enabled;
        this.metric = metric;
        this.alpha = alpha;
        this.bootstrap = new GroupBootstrap(resamples, 1 - 2 * alpha, seed);
    }

    public GateMetric metric() {
        return metric;
    }

    /**
     * @param challengerValue the challenger's metric on its validation rows
     * @param challengerTrainSize labels the challenger was trained on
     * @param champion the comparable champion, if any, with its scores on the shared rows
     */
    public GateDecision decide(double challengerValue, int challengerTrainSize, Optional<Champion> champion,
                               Optional<SharedRows> shared) {
        if (Double.isNaN(challengerValue)) {
            return new GateDecision(false, "challenger's " + metric + " is undefined on its validation rows", metric,
                    null, null, champion.map(Champion::version).orElse(null), null, challengerTrainSize, null);
        }
        if (!enabled) {
            return new GateDecision(true, "gate disabled", metric, challengerValue, null,
                    champion.map(Champion::version).orElse(null), null, challengerTrainSize, null);
        }
        if (champion.isEmpty()) {
            return new GateDecision(true, "first version: no comparable champion", metric, challengerValue, null,
                    null, null, challengerTrainSize, null);
        }
        Champion c = champion.get();
        if (shared.isEmpty() || !shared.get().comparable()) {
            return byLabels(challengerValue, null, challengerTrainSize, c, null,
                    "no shared validation rows with both classes that the champion was not trained on");
        }
        SharedRows rows = shared.get();
        GroupBootstrap.Comparison comparison = bootstrap.compare(rows.challenger(), rows.champion(), rows.covid(),
                rows.groups(), metric::of);
        double mine = metric.of(rows.challenger(), rows.covid());
        double theirs = metric.of(rows.champion(), rows.covid());
        String figures = String.format(Locale.ROOT, "%s %.4f vs champion %s %.4f on %d shared rows (%d groups),"
                        + " difference %.4f [%.4f, %.4f]", metric, mine, c.version(), theirs, comparison.rows(),
                comparison.groups(), comparison.difference().estimate(), comparison.difference().lower(),
                comparison.difference().upper());
        if (comparison.pChallengerNotBetter() < alpha) {
            return new GateDecision(true, "significantly better: " + figures + ", p=" + p(comparison
                    .pChallengerNotBetter()), metric, mine, theirs, c.version(), comparison, challengerTrainSize,
                    c.trainSize());
        }
        if (comparison.pChallengerNotWorse() < alpha) {
            return new GateDecision(false, "significantly worse: " + figures + ", p=" + p(comparison
                    .pChallengerNotWorse()), metric, mine, theirs, c.version(), comparison, challengerTrainSize,
                    c.trainSize());
        }
        return byLabels(mine, theirs, challengerTrainSize, c, comparison, "no significant difference: " + figures);
    }

    /** Rule 3: the model trained on more labels wins; on equal labels the champion stays. */
    private GateDecision byLabels(double mine, Double theirs, int challengerTrainSize, Champion c,
                                  GroupBootstrap.Comparison comparison, String why) {
        boolean publish = challengerTrainSize > c.trainSize();
        String reason = why + "; " + (challengerTrainSize == c.trainSize()
                ? "both were trained on " + challengerTrainSize + " labels: the champion stays"
                : (publish ? "the challenger" : "the champion") + " was trained on more labels ("
                + challengerTrainSize + " vs " + c.trainSize() + ")");
        return new GateDecision(publish, reason, metric, mine, theirs, c.version(), comparison, challengerTrainSize,
                c.trainSize());
    }

    private static String p(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
