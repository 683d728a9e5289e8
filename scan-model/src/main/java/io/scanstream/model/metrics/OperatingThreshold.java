package io.scanstream.model.metrics;

import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;

import java.util.Arrays;
import java.util.List;

/**
 * The operating threshold chosen on the validation split. Rule: of the ways to cut the sorted validation scores
 * (COVID when score ≥ threshold), take the cut maximising Youden's J = sensitivity + specificity − 1, which weighs a
 * missed COVID case and a false alarm equally whatever the class balance. A cut is a gap between two neighbouring
 * distinct scores, and every threshold in it gives the same J on validation: take 0.5 (the untuned default) when it
 * lies in the gap, else the gap's middle, so that new scores just beside a validation score are not decided by a
 * hair (taking the validation score itself, as a point of the ROC curve, put the threshold of a perfectly separated
 * small validation set at 0.9999). Of cuts with equal J, the one whose threshold is closest to 0.5; then the lower.
 */
public record OperatingThreshold(double threshold, double sensitivity, double specificity) {

    public double youdenJ() {
        return sensitivity + specificity - 1;
    }

    /** @throws IllegalArgumentException when a class is absent: J is then undefined */
    public static OperatingThreshold maximisingYoudenJ(double[] scores, boolean[] positives) {
        RocCurve roc = RocCurve.of(scores, positives);
        long positiveCount = BinaryMetrics.count(positives, true);
        long negativeCount = positives.length - positiveCount;
        List<RocCurve.Point> points = roc.points();
        double best = Double.NaN;
        long bestScaledJ = Long.MIN_VALUE;
        for (int k = 1; k < points.size(); k++) {
            RocCurve.Point point = points.get(k);
            // J · P · N in integers, so that equal J compare equal
            long truePositives = Math.round(point.truePositiveRate() * positiveCount);
            long falsePositives = Math.round(point.falsePositiveRate() * negativeCount);
            long scaledJ = truePositives * negativeCount - falsePositives * positiveCount;
            // thresholds in (next lower score, this score] give this point's matrix
            double below = k + 1 < points.size() ? points.get(k + 1).threshold() : Math.min(0, point.threshold());
            double threshold = inGap(below, point.threshold());
            if (Double.isNaN(best) || scaledJ > bestScaledJ
                    || scaledJ == bestScaledJ && closerToHalf(threshold, best)) {
                best = threshold;
                bestScaledJ = scaledJ;
            }
        }
        ConfusionMatrix m = BinaryMetrics.confusion(scores, positives, best);
        return new OperatingThreshold(best, BinaryMetrics.sensitivity(m), BinaryMetrics.specificity(m));
    }

    /**
     * The cut that calls as many validation scans COVID as validation holds: midway between the k-th and (k+1)-th
     * highest scores, k = the COVID count (the k-th itself when they tie, so that tied scans get the same call). It
     * reads ranks only, so a saturated head (scores piled at 0 and 1, where Youden's best gap spans nearly all of
     * [0, 1]) still gets a cut where the scans are; on source-grouped cross-validation of the fine-tuned network it
     * gave higher accuracy than Youden's J in every fold (docs/training.md, "Operating threshold").
     *
     * @throws IllegalArgumentException when a class is absent: the count then says nothing about where to cut
     */
    public static OperatingThreshold matchingPrevalence(double[] scores, boolean[] positives) {
        if (scores.length != positives.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + positives.length + " labels");
        }
        int k = (int) BinaryMetrics.count(positives, true);
        if (k == 0 || k == positives.length) {
            throw new IllegalArgumentException("both classes are needed to match the prevalence");
        }
        double[] ascending = scores.clone();
        Arrays.sort(ascending);
        int n = ascending.length;
        double kth = ascending[n - k];
        double next = ascending[n - k - 1];
        double threshold = kth == next ? kth : (kth + next) / 2;
        ConfusionMatrix m = BinaryMetrics.confusion(scores, positives, threshold);
        return new OperatingThreshold(threshold, BinaryMetrics.sensitivity(m), BinaryMetrics.specificity(m));
    }

    /** 0.5 when it lies in the gap (below, upper], else the gap's middle. */
    private static double inGap(double below, double upper) {
        return below < 0.5 && 0.5 <= upper ? 0.5 : below == upper ? upper : (below + upper) / 2;
    }

    private static boolean closerToHalf(double candidate, double incumbent) {
        double c = Math.abs(candidate - 0.5);
        double i = Math.abs(incumbent - 0.5);
        return c < i || c == i && candidate < incumbent;
    }
}
