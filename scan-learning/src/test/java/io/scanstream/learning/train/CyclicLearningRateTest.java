package io.scanstream.learning.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** DJL's cyclical tracker as configured, at iterations where Smith's formulas give round values. */
class CyclicLearningRateTest {

    private static final double BASE = 0.001;
    private static final double MAX = 0.006;
    private static final double EPS = 1e-7;

    @Test
    void triangularClimbsToMaxInStepSizeIterationsAndFallsBackRepeatedly() {
        CyclicLearningRate lr = new CyclicLearningRate(CyclicLearningRate.Mode.TRIANGULAR, BASE, MAX, 4, 1);

        assertThat(lr.at(0)).isCloseTo(0.001, within(EPS));
        assertThat(lr.at(2)).isCloseTo(0.0035, within(EPS));
        assertThat(lr.at(4)).isCloseTo(0.006, within(EPS));
        assertThat(lr.at(6)).isCloseTo(0.0035, within(EPS));
        assertThat(lr.at(8)).isCloseTo(0.001, within(EPS));
        assertThat(lr.at(12)).isCloseTo(0.006, within(EPS));
        assertThat(lr.at(100)).isCloseTo(0.006, within(EPS)); // 100 = 12.5 cycles: a peak
    }

    @Test
    void triangular2HalvesTheAmplitudeEveryCycle() {
        CyclicLearningRate lr = new CyclicLearningRate(CyclicLearningRate.Mode.TRIANGULAR2, BASE, MAX, 4, 1);

        assertThat(lr.at(4)).isCloseTo(0.006, within(EPS));
        assertThat(lr.at(8)).isCloseTo(0.001, within(EPS));
        assertThat(lr.at(12)).isCloseTo(0.0035, within(EPS));
        assertThat(lr.at(20)).isCloseTo(0.00225, within(EPS));
        assertThat(lr.at(22)).isCloseTo(0.001625, within(EPS));
    }

    @Test
    void expRangeScalesTheAmplitudeByGammaToTheIteration() {
        CyclicLearningRate lr = new CyclicLearningRate(CyclicLearningRate.Mode.EXP_RANGE, BASE, MAX, 4, 0.9);

        assertThat(lr.at(2)).isCloseTo(0.001 + 0.005 * 0.5 * Math.pow(0.9, 2), within(EPS));
        assertThat(lr.at(4)).isCloseTo(0.001 + 0.005 * Math.pow(0.9, 4), within(EPS));
        assertThat(lr.at(12)).isCloseTo(0.001 + 0.005 * Math.pow(0.9, 12), within(EPS));
        assertThat(lr.at(8)).isCloseTo(0.001, within(EPS));
    }

    @Test
    void convertsAStepSizeInEpochsToIterations() {
        CyclicLearningRate lr = CyclicLearningRate.inEpochs(CyclicLearningRate.Mode.TRIANGULAR, BASE, MAX, 2.5, 14, 1);

        assertThat(lr.stepSize()).isEqualTo(35);
        assertThat(lr.at(35)).isCloseTo(MAX, within(EPS));
    }

    @Test
    void refusesASchedulesThatCannotWork() {
        assertThatThrownBy(() -> new CyclicLearningRate(CyclicLearningRate.Mode.TRIANGULAR, 0.01, 0.001, 4, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CyclicLearningRate(CyclicLearningRate.Mode.TRIANGULAR, 0.001, 0.01, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
