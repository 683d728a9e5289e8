package io.scanstream.model.metrics;

import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;

/**
 * The operating threshold chosen on the validation split. Rule: among the distinct validation scores as candidate
 * thresholds (COVID when score ≥ threshold), take the one maximising Youden's J = sensitivity + specificity − 1,
 * which weighs a missed COVID case and a false alarm equally whatever the class balance; of tied candidates the one
 * closest to 0.5 (the untuned default, so a tie moves the threshold no further than the data demands); of those
 * still tied, the lower (the more sensitive).
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
        RocCurve.Point best = null;
        long bestScaledJ = Long.MIN_VALUE;
        for (RocCurve.Point point : roc.points().subList(1, roc.points().size())) {
            // J · P · N in integers, so that equal J compare equal
            long truePositives = Math.round(point.truePositiveRate() * positiveCount);
            long falsePositives = Math.round(point.falsePositiveRate() * negativeCount);
            long scaledJ = truePositives * negativeCount - falsePositives * positiveCount;
            if (best == null || scaledJ > bestScaledJ
                    || scaledJ == bestScaledJ && closerToHalf(point.threshold(), best.threshold())) {
                best = point;
                bestScaledJ = scaledJ;
            }
        }
        ConfusionMatrix m = BinaryMetrics.confusion(scores, positives, best.threshold());
        return new OperatingThreshold(best.threshold(), BinaryMetrics.sensitivity(m), BinaryMetrics.specificity(m));
    }

    private static boolean closerToHalf(double candidate, double incumbent) {
        double c = Math.abs(candidate - 0.5);
        double i = Math.abs(incumbent - 0.5);
        return c < i || c == i && candidate < incumbent;
    }
}
