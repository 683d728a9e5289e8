package io.scanstream.learning.validation;

import io.scanstream.model.metrics.BinaryEvaluation;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ChampionChallengerGateTest {

    private static final double[] SCORES = {0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1};
    private static final boolean[] PERFECT = {true, true, true, true, false, false, false, false};
    private static final boolean[] MIXED = {true, false, true, true, false, true, false, false};

    private final ChampionChallengerGate gate = new ChampionChallengerGate(true, GateMetric.AUC, 0.0);

    @Test
    void publishesTheFirstVersion() {
        GateDecision decision = gate.decide(eval(MIXED), Optional.empty());

        assertThat(decision.publish()).isTrue();
        assertThat(decision.challenger()).isEqualTo(0.75);
        assertThat(decision.champion()).isNull();
        assertThat(decision.reason()).contains("first version");
    }

    @Test
    void publishesAChallengerThatBeatsTheChampion() {
        GateDecision decision = gate.decide(eval(PERFECT), champion(MIXED));

        assertThat(decision.publish()).isTrue();
        assertThat(decision.challenger()).isEqualTo(1.0);
        assertThat(decision.champion()).isEqualTo(0.75);
        assertThat(decision.championVersion()).isEqualTo("v1");
    }

    @Test
    void gatesOutAChallengerThatOnlyTiesOrLoses() {
        assertThat(gate.decide(eval(MIXED), champion(MIXED)).publish()).isFalse();
        assertThat(gate.decide(eval(MIXED), champion(PERFECT)).publish()).isFalse();
        assertThat(gate.decide(eval(MIXED), champion(PERFECT)).reason()).contains("does not beat champion v1");
    }

    @Test
    void demandsTheConfiguredMarginAndUsesTheConfiguredMetric() {
        ChampionChallengerGate margin = new ChampionChallengerGate(true, GateMetric.AUC, 0.3);
        assertThat(margin.decide(eval(PERFECT), champion(MIXED)).publish()).isFalse(); // 1.0 vs 0.75 + 0.3

        ChampionChallengerGate accuracy = new ChampionChallengerGate(true, GateMetric.ACCURACY, 0.0);
        GateDecision decision = accuracy.decide(eval(PERFECT), champion(MIXED));
        assertThat(decision.metric()).isEqualTo(GateMetric.ACCURACY);
        assertThat(decision.challenger()).isEqualTo(1.0);
        assertThat(decision.champion()).isEqualTo(0.75);
    }

    @Test
    void publishesEverythingWhenDisabled() {
        ChampionChallengerGate off = new ChampionChallengerGate(false, GateMetric.AUC, 0.0);

        assertThat(off.decide(eval(MIXED), champion(PERFECT)).publish()).isTrue();
    }

    private static BinaryEvaluation eval(boolean[] labels) {
        return io.scanstream.learning.evaluate.HeadScoring.atYoudenThreshold(SCORES, labels);
    }

    private static Optional<ChampionChallengerGate.Champion> champion(boolean[] labels) {
        return Optional.of(new ChampionChallengerGate.Champion("v1", eval(labels)));
    }
}
