package io.scanstream.model.metrics;

import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;

/**
 * Figures of a binary classifier at a threshold, COVID being the positive class and a scan counting as COVID when
 * its score is at least the threshold. A figure whose denominator is zero is NaN (e.g. sensitivity without a
 * single positive): undefined, not zero.
 */
public final class BinaryMetrics {

    private BinaryMetrics() {
    }

    public static ConfusionMatrix confusion(double[] scores, boolean[] positives, double threshold) {
        requireSameLength(scores, positives);
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean predicted = scores[i] >= threshold;
            if (predicted && positives[i]) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (positives[i]) {
                fn++;
            } else {
                tn++;
            }
        }
        return new ConfusionMatrix(tp, fp, tn, fn);
    }

    public static double accuracy(ConfusionMatrix m) {
        return ratio(m.truePositives() + m.trueNegatives(), m.total());
    }

    /** True positive rate, recall. */
    public static double sensitivity(ConfusionMatrix m) {
        return ratio(m.truePositives(), m.truePositives() + m.falseNegatives());
    }

    /** True negative rate. */
    public static double specificity(ConfusionMatrix m) {
        return ratio(m.trueNegatives(), m.trueNegatives() + m.falsePositives());
    }

    public static double precision(ConfusionMatrix m) {
        return ratio(m.truePositives(), m.truePositives() + m.falsePositives());
    }

    /** 2TP / (2TP + FP + FN), the harmonic mean of precision and sensitivity. */
    public static double f1(ConfusionMatrix m) {
        return ratio(2L * m.truePositives(), 2L * m.truePositives() + m.falsePositives() + m.falseNegatives());
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }

    static void requireSameLength(double[] scores, boolean[] positives) {
        if (scores.length != positives.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positives.length + " labels");
        }
        for (double score : scores) {
            if (Double.isNaN(score)) {
                throw new IllegalArgumentException("NaN score");
            }
        }
    }

    /** How many of {@code values} equal {@code value}. */
    public static long count(boolean[] values, boolean value) {
        long n = 0;
        for (boolean v : values) {
            if (v == value) {
                n++;
            }
        }
        return n;
    }
}
