package io.scanstream.learning.validation;

import io.scanstream.model.metrics.BinaryEvaluation;

import java.util.Optional;

/**
 * Publishes a new head version only if it beats the one in service. Both are judged on the <b>current</b>
 * validation split with the <b>same</b> rule (scores from the head, threshold maximising Youden's J on that split,
 * then the metric): the champion's head is re-scored rather than its published numbers compared, which came from
 * another split and an older training set. A first version (no comparable champion) always publishes.
 */
public final class ChampionChallengerGate {

    /** The champion as re-scored on the current validation split. */
    public record Champion(String version, BinaryEvaluation evaluation) {
    }

    private final boolean enabled;
    private final GateMetric metric;
    private final double minImprovement;

    public ChampionChallengerGate(boolean enabled, GateMetric metric, double minImprovement) {
        this.enabled = enabled;
        this.metric = metric;
        this.minImprovement = minImprovement;
    }

    public GateMetric metric() {
        return metric;
    }

    public GateDecision decide(BinaryEvaluation challenger, Optional<Champion> champion) {
        double mine = metric.of(challenger);
        Double theirs = champion.map(c -> metric.of(c.evaluation())).orElse(null);
        String championVersion = champion.map(Champion::version).orElse(null);
        if (Double.isNaN(mine)) {
            return new GateDecision(false, "challenger's " + metric + " is undefined on this validation split",
                    metric, null, finite(theirs), championVersion);
        }
        if (!enabled) {
            return new GateDecision(true, "gate disabled", metric, mine, finite(theirs), championVersion);
        }
        if (champion.isEmpty()) {
            return new GateDecision(true, "first version: no comparable champion", metric, mine, null, null);
        }
        if (Double.isNaN(theirs)) {
            return new GateDecision(true, "champion's " + metric + " is undefined on this split", metric, mine, null,
                    championVersion);
        }
        boolean beats = mine > theirs + minImprovement;
        String reason = String.format(java.util.Locale.ROOT, "%s %.4f %s champion %s %.4f%s", metric, mine,
                beats ? "beats" : "does not beat", championVersion, theirs,
                minImprovement > 0 ? String.format(java.util.Locale.ROOT, " by more than %.4f", minImprovement) : "");
        return new GateDecision(beats, reason, metric, mine, theirs, championVersion);
    }

    private static Double finite(Double value) {
        return value == null || Double.isNaN(value) ? null : value;
    }
}
