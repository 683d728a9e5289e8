package io.scanstream.model.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ROC curve of scores (P(COVID)) against labels, and its area. A scan counts as positive when its score is at
 * least the threshold. Tied scores move the curve diagonally in one step, so the trapezoid area equals the
 * Mann–Whitney statistic with ties counted one half.
 *
 * @param points from (0, 0) at threshold +∞ to (1, 1) at the lowest score, one point per distinct score
 * @param auc    area under the curve
 */
public record RocCurve(List<Point> points, double auc) {

    public RocCurve {
        points = List.copyOf(points);
    }

    /** One operating point: predicting positive when score ≥ threshold. */
    public record Point(double threshold, double falsePositiveRate, double truePositiveRate) {
    }

    /** @throws IllegalArgumentException when a class is absent (the curve is undefined) or a score is NaN */
    public static RocCurve of(double[] scores, boolean[] positives) {
        BinaryMetrics.requireSameLength(scores, positives);
        long positiveCount = BinaryMetrics.count(positives, true);
        long negativeCount = positives.length - positiveCount;
        if (positiveCount == 0 || negativeCount == 0) {
            throw new IllegalArgumentException("ROC needs both classes, got " + positiveCount + " positive and "
                    + negativeCount + " negative");
        }
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());

        List<Point> points = new ArrayList<>();
        points.add(new Point(Double.POSITIVE_INFINITY, 0, 0));
        long truePositives = 0;
        long falsePositives = 0;
        double auc = 0;
        for (int k = 0; k < order.length; ) {
            double threshold = scores[order[k]];
            while (k < order.length && scores[order[k]] == threshold) {
                if (positives[order[k]]) {
                    truePositives++;
                } else {
                    falsePositives++;
                }
                k++;
            }
            Point previous = points.get(points.size() - 1);
            Point point = new Point(threshold, (double) falsePositives / negativeCount,
                    (double) truePositives / positiveCount);
            auc += (point.falsePositiveRate() - previous.falsePositiveRate())
                    * (point.truePositiveRate() + previous.truePositiveRate()) / 2;
            points.add(point);
        }
        return new RocCurve(points, auc);
    }
}
