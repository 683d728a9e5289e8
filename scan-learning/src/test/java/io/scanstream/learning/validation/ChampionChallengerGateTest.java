package io.scanstream.learning.validation;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate's paired test on constructed cases: a clear win, a clear loss, and noise. */
class ChampionChallengerGateTest {

    private static final int ROWS = 200;
    private final ChampionChallengerGate gate = new ChampionChallengerGate(true, GateMetric.AUC, 0.05, 500, 1);
    private final boolean[] covid = labels();
    private final List<String> groups = groups();

    @Test
    void aClearlyBetterChallengerIsPublishedEvenWithFewerLabels() {
        GateDecision d = decide(scores(3.0, 1), scores(0.3, 2), 100, 500);

        assertThat(d.publish()).isTrue();
        assertThat(d.reason()).startsWith("significantly better");
        assertThat(d.comparison().pChallengerNotBetter()).isLessThan(0.05);
        assertThat(d.comparison().difference().lower()).isPositive();
    }

    @Test
    void aClearlyWorseChallengerIsGatedOutEvenWithMoreLabels() {
        GateDecision d = decide(scores(0.3, 3), scores(3.0, 4), 500, 100);

        assertThat(d.publish()).isFalse();
        assertThat(d.reason()).startsWith("significantly worse");
        assertThat(d.comparison().difference().upper()).isNegative();
    }

    @Test
    void noiseNeverFreezesTheModelTrainedOnMoreLabels() {
        double[] a = scores(1.0, 5);
        double[] b = scores(1.0, 6);

        GateDecision moreLabels = decide(a, b, 500, 50);
        GateDecision fewerLabels = decide(a, b, 50, 500);

        assertThat(moreLabels.reason()).startsWith("no significant difference");
        assertThat(moreLabels.publish()).isTrue();
        assertThat(fewerLabels.publish()).isFalse();
        assertThat(fewerLabels.reason()).contains("the champion was trained on more labels (50 vs 500)");
    }

    @Test
    void withoutAComparableChampionTheFirstVersionIsPublished() {
        GateDecision d = gate.decide(0.7, 30, Optional.empty(), Optional.empty());

        assertThat(d.publish()).isTrue();
        assertThat(d.reason()).contains("first version");
    }

    @Test
    void whenNoSharedRowsCanBeComparedLabelsDecide() {
        GateDecision d = gate.decide(0.9, 40, Optional.of(new ChampionChallengerGate.Champion("v1", 400)),
                Optional.empty());

        assertThat(d.publish()).isFalse();
        assertThat(d.reason()).contains("no shared validation rows").contains("40 vs 400");
    }

    @Test
    void anUndefinedChallengerMetricNeverPublishes() {
        assertThat(gate.decide(Double.NaN, 40, Optional.empty(), Optional.empty()).publish()).isFalse();
    }

    private GateDecision decide(double[] challenger, double[] champion, int challengerLabels, int championLabels) {
        return gate.decide(GateMetric.AUC.of(challenger, covid), challengerLabels,
                Optional.of(new ChampionChallengerGate.Champion("v-champion", championLabels)),
                Optional.of(new ChampionChallengerGate.SharedRows(challenger, champion, covid, groups)));
    }

    /** Scores whose separation of the classes grows with {@code signal}. */
    private double[] scores(double signal, long seed) {
        Random random = new Random(seed);
        double[] s = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            s[i] = 1 / (1 + Math.exp(-(random.nextGaussian() + (covid[i] ? signal : 0))));
        }
        return s;
    }

    private static boolean[] labels() {
        boolean[] covid = new boolean[ROWS];
        for (int i = 0; i < ROWS; i++) {
            covid[i] = (i / 4) % 2 == 0;
        }
        return covid;
    }

    /** 50 groups of 4 rows, one class each. */
    private static List<String> groups() {
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            groups.add("g" + i / 4);
        }
        return groups;
    }
}
