package io.scanstream.model.metrics;

import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Hand-computed examples. Eight scans, four COVID (positives at 0.9, 0.8, 0.6, 0.3; negatives at 0.7, 0.55, 0.4,
 * 0.2). Mann–Whitney: positive-negative pairs ranked correctly 4 + 4 + 3 + 1 = 12 of 16 → AUC 0.75.
 */
class MetricsTest {

    private static final double[] SCORES = {0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2};
    private static final boolean[] COVID = {true, true, false, true, false, false, true, false};

    @Test
    void aucIsTheShareOfCorrectlyRankedPositiveNegativePairs() {
        assertThat(RocCurve.of(SCORES, COVID).auc()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void tiedScoresCountHalfAndMoveTheCurveDiagonally() {
        // pairs: (0.8, 0.5) 1, (0.8, 0.2) 1, (0.5, 0.5) tie 1/2, (0.5, 0.2) 1 → 3.5 / 4
        RocCurve roc = RocCurve.of(new double[] {0.8, 0.5, 0.5, 0.2}, new boolean[] {true, true, false, false});

        assertThat(roc.auc()).isCloseTo(0.875, within(1e-12));
        assertThat(roc.points()).containsExactly(
                new RocCurve.Point(Double.POSITIVE_INFINITY, 0, 0),
                new RocCurve.Point(0.8, 0, 0.5),
                new RocCurve.Point(0.5, 0.5, 1),
                new RocCurve.Point(0.2, 1, 1));
    }

    @Test
    void perfectRankingHasAreaOneAndReversedRankingZero() {
        double[] scores = {0.9, 0.8, 0.2, 0.1};
        assertThat(RocCurve.of(scores, new boolean[] {true, true, false, false}).auc()).isEqualTo(1.0);
        assertThat(RocCurve.of(scores, new boolean[] {false, false, true, true}).auc()).isEqualTo(0.0);
    }

    @Test
    void rocNeedsBothClasses() {
        assertThatThrownBy(() -> RocCurve.of(new double[] {0.1, 0.9}, new boolean[] {true, true}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both classes");
    }

    @Test
    void confusionMatrixCountsScoresAtOrAboveTheThresholdAsCovid() {
        ConfusionMatrix m = BinaryMetrics.confusion(SCORES, COVID, 0.55);

        assertThat(m).isEqualTo(new ConfusionMatrix(3, 2, 2, 1));
        assertThat(BinaryMetrics.accuracy(m)).isCloseTo(5.0 / 8, within(1e-12));
        assertThat(BinaryMetrics.sensitivity(m)).isCloseTo(3.0 / 4, within(1e-12));
        assertThat(BinaryMetrics.specificity(m)).isCloseTo(2.0 / 4, within(1e-12));
        assertThat(BinaryMetrics.precision(m)).isCloseTo(3.0 / 5, within(1e-12));
        // 2TP / (2TP + FP + FN) = 6 / 9
        assertThat(BinaryMetrics.f1(m)).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void undefinedFiguresAreNaNNotZero() {
        ConfusionMatrix noPositives =
                BinaryMetrics.confusion(new double[] {0.2, 0.7}, new boolean[] {false, false}, 0.5);

        assertThat(noPositives).isEqualTo(new ConfusionMatrix(0, 1, 1, 0));
        assertThat(BinaryMetrics.sensitivity(noPositives)).isNaN();
        assertThat(BinaryMetrics.specificity(noPositives)).isEqualTo(0.5);
        assertThat(BinaryMetrics.f1(noPositives)).isEqualTo(0.0);
    }

    @Test
    void thresholdMaximisesYoudensJAndOfTiesTakesTheOneClosestToOneHalf() {
        // J per cut: (0.8, 0.9] → .25, (0.7, 0.8] → .5, (0.6, 0.7] → .25, (0.55, 0.6] → .5, (0.4, 0.55] → .25, ...
        // the two best gaps' middles are 0.75 and 0.575: the latter is closer to 0.5
        OperatingThreshold chosen = OperatingThreshold.maximisingYoudenJ(SCORES, COVID);

        assertThat(chosen.threshold()).isCloseTo(0.575, within(1e-12));
        assertThat(chosen.sensitivity()).isCloseTo(0.75, within(1e-12));
        assertThat(chosen.specificity()).isCloseTo(0.75, within(1e-12));
        assertThat(chosen.youdenJ()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void thresholdsEquallyFarFromOneHalfResolveToTheMoreSensitive() {
        // J: (0.7, 0.8] → .5, (0.2, 0.3] → .5; their middles 0.75 and 0.25 are both 0.25 from 0.5
        OperatingThreshold chosen = OperatingThreshold.maximisingYoudenJ(
                new double[] {0.8, 0.7, 0.3, 0.2}, new boolean[] {true, false, true, false});

        assertThat(chosen.threshold()).isCloseTo(0.25, within(1e-12));
        assertThat(chosen.sensitivity()).isEqualTo(1.0);
        assertThat(chosen.specificity()).isEqualTo(0.5);
    }

    @Test
    void aPerfectlySeparatedValidationSetPutsTheThresholdInTheGapNotOnAScore() {
        // Every positive above 0.999, every negative below 0.2: 0.5 lies in the gap
        OperatingThreshold wide = OperatingThreshold.maximisingYoudenJ(new double[] {0.9999, 0.9995, 0.1, 0.05},
                new boolean[] {true, true, false, false});
        // both classes above 0.5: the middle of the gap
        OperatingThreshold high = OperatingThreshold.maximisingYoudenJ(new double[] {0.99, 0.98, 0.7, 0.6},
                new boolean[] {true, true, false, false});

        assertThat(wide.threshold()).isEqualTo(0.5);
        assertThat(wide.youdenJ()).isEqualTo(1.0);
        assertThat(high.threshold()).isCloseTo(0.84, within(1e-12));
        assertThat(high.youdenJ()).isEqualTo(1.0);
    }

    @Test
    void thePrevalenceThresholdCallsAsManyScansCovidAsValidationHolds() {
        // Two COVID of five: the cut falls between the 2nd and 3rd highest scores, whatever Youden's J says
        // (Youden takes 0.5, in the gap (0.02, 0.97], for sensitivity 1 and specificity 2/3).
        double[] scores = {0.99, 0.98, 0.97, 0.02, 0.01};
        boolean[] covid = {true, false, true, false, false};
        OperatingThreshold prevalence = OperatingThreshold.matchingPrevalence(scores, covid);

        assertThat(prevalence.threshold()).isCloseTo(0.975, within(1e-12));
        assertThat(prevalence.sensitivity()).isEqualTo(0.5);
        assertThat(prevalence.specificity()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(OperatingThreshold.maximisingYoudenJ(scores, covid).threshold()).isEqualTo(0.5);
        // Eight scans, four COVID: the 4th and 5th highest are 0.6 and 0.55
        assertThat(OperatingThreshold.matchingPrevalence(SCORES, COVID).threshold()).isCloseTo(0.575, within(1e-12));
    }

    @Test
    void thePrevalenceThresholdGivesTiedScansTheSameCall() {
        // Two COVID, but the 2nd and 3rd highest tie at 0.6: both are called COVID rather than split by order
        OperatingThreshold tied = OperatingThreshold.matchingPrevalence(new double[] {0.9, 0.6, 0.6, 0.1},
                new boolean[] {true, true, false, false});

        assertThat(tied.threshold()).isEqualTo(0.6);
        assertThat(tied.sensitivity()).isEqualTo(1.0);
        assertThat(tied.specificity()).isEqualTo(0.5);
    }

    @Test
    void thePrevalenceThresholdNeedsBothClasses() {
        assertThatThrownBy(() -> OperatingThreshold.matchingPrevalence(new double[] {0.9, 0.1},
                new boolean[] {true, true})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both classes");
        assertThatThrownBy(() -> OperatingThreshold.matchingPrevalence(new double[] {0.9},
                new boolean[] {true, false})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void evaluationGathersEveryFigureAtTheThreshold() {
        BinaryEvaluation evaluation = BinaryEvaluation.at(SCORES, COVID, 0.6);

        assertThat(evaluation.auc()).isCloseTo(0.75, within(1e-12));
        assertThat(evaluation.confusion()).isEqualTo(new ConfusionMatrix(3, 1, 3, 1));
        assertThat(evaluation.accuracy()).isCloseTo(0.75, within(1e-12));
        assertThat(evaluation.f1()).isCloseTo(0.75, within(1e-12));
        assertThat(evaluation.sensitivity()).isCloseTo(0.75, within(1e-12));
        assertThat(evaluation.specificity()).isCloseTo(0.75, within(1e-12));
        assertThat(evaluation.roc()).hasSize(SCORES.length + 1);
    }

    @Test
    void evaluationOfASingleClassSplitHasNoRocCurve() {
        BinaryEvaluation evaluation =
                BinaryEvaluation.at(new double[] {0.2, 0.7}, new boolean[] {false, false}, 0.5);

        assertThat(evaluation.auc()).isNaN();
        assertThat(evaluation.roc()).isEmpty();
        assertThat(evaluation.accuracy()).isEqualTo(0.5);
    }

    @Test
    void refusesScoresAndLabelsOfDifferentLengthsAndNaNScores() {
        assertThatThrownBy(() -> BinaryMetrics.confusion(new double[] {0.1}, new boolean[] {true, false}, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RocCurve.of(new double[] {Double.NaN, 0.1}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
