package io.scanstream.learning.train;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.Backbones;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LayerwiseRatesTest {

    private static final Tracker RATE = Tracker.fixed(0.01f);

    @Test
    void eachBlockFromTheLastDownLearnsAtOneMoreFactorOfTheDecayAndTheHeadAtTheScheduleRate() {
        Block backbone = Backbones.build(BackboneArchitecture.MOBILENET_V2);
        ParameterTracker rates = LayerwiseRates.of(RATE, backbone, 0.5);

        List<Block> withParameters = backbone.getChildren().values().stream()
                .filter(b -> !b.getParameters().isEmpty()).toList();
        int n = withParameters.size();
        for (int i = 0; i < n; i++) {
            double expected = 0.01 * Math.pow(0.5, n - i);
            for (Parameter p : withParameters.get(i).getParameters().values()) {
                assertThat((double) rates.getNewValue(p.getId(), 3)).as("block %d of %d", i, n)
                        .isCloseTo(expected, within(expected * 1e-5));
            }
        }
        assertThat(rates.getNewValue("a-head-parameter", 3)).isEqualTo(0.01f);
    }

    @Test
    void aDecayOfOneIsTheScheduleItselfAndOneOutsideZeroToOneIsRefused() {
        Block backbone = Backbones.build(BackboneArchitecture.MOBILENET_V2);

        assertThat(LayerwiseRates.of(RATE, backbone, 1)).isSameAs(RATE);
        assertThatThrownBy(() -> LayerwiseRates.of(RATE, backbone, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decay");
        assertThatThrownBy(() -> LayerwiseRates.of(RATE, backbone, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
