package io.scanstream.learning.evaluate;

import io.scanstream.model.metrics.BinaryEvaluation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The rules' cuts on hand-made scores (the arithmetic itself is OperatingThreshold's, tested in scan-model). */
class ThresholdRuleTest {

    // A saturated head: three COVID of six, one of them scored like the negatives, one negative like COVID.
    private static final double[] SCORES = {0.999, 0.998, 0.997, 0.004, 0.003, 0.002};
    private static final boolean[] COVID = {true, true, false, false, false, true};

    @Test
    void prevalenceCallsAsManyCovidAsTheRowsHoldWhereYoudenCutsInsideTheCluster() {
        double prevalence = ThresholdRule.PREVALENCE.threshold(SCORES, COVID);
        double youden = ThresholdRule.YOUDEN.threshold(SCORES, COVID);

        assertThat(prevalence).isCloseTo(0.5005, within(1e-12)); // between the 3rd and 4th highest
        assertThat(youden).isCloseTo(0.9975, within(1e-12));     // J = 2/3 − 0 at (0.997, 0.998], the only best
        BinaryEvaluation atPrevalence = ThresholdRule.PREVALENCE.evaluate(SCORES, COVID);
        assertThat(atPrevalence.threshold()).isEqualTo(prevalence);
        assertThat(atPrevalence.confusion().truePositives() + atPrevalence.confusion().falsePositives()).isEqualTo(3);
    }

    @Test
    void withAClassMissingEitherRuleReadsTheProbabilityAsItIs() {
        double[] scores = {0.9, 0.2, 0.7};
        for (ThresholdRule rule : ThresholdRule.values()) {
            assertThat(rule.threshold(scores, new boolean[] {true, true, true})).isEqualTo(0.5);
            assertThat(rule.threshold(scores, new boolean[] {false, false, false})).isEqualTo(0.5);
            assertThat(rule.description()).isNotBlank();
        }
    }
}
