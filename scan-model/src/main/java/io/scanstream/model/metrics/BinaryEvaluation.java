package io.scanstream.model.metrics;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.ModelMetrics;

import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;

import java.util.List;

/**
 * Everything the report and the model version state about a head on one split, at one threshold. When the split
 * lacks a class, AUC is NaN and the ROC curve empty.
 */
public record BinaryEvaluation(double auc, List<RocCurve.Point> roc, double threshold, ConfusionMatrix confusion,
                               double accuracy, double f1, double sensitivity, double specificity) {

    public BinaryEvaluation {
        roc = List.copyOf(roc);
    }

    public static BinaryEvaluation at(double[] scores, boolean[] positives, double threshold) {
        ConfusionMatrix m = BinaryMetrics.confusion(scores, positives, threshold);
        long positiveCount = BinaryMetrics.count(positives, true);
        boolean bothClasses = positiveCount > 0 && positiveCount < positives.length;
        RocCurve curve = bothClasses ? RocCurve.of(scores, positives) : new RocCurve(List.of(), Double.NaN);
        return new BinaryEvaluation(curve.auc(), curve.points(), threshold, m, BinaryMetrics.accuracy(m),
                BinaryMetrics.f1(m), BinaryMetrics.sensitivity(m), BinaryMetrics.specificity(m));
    }

    /** These figures as a model version states them (undefined figures as null), with the run's curves and sizes. */
    public ModelMetrics toModelMetrics(List<EpochMetrics> epochs, int trainSize, int validationSize) {
        return new ModelMetrics(epochs, finite(auc), finite(accuracy), finite(f1), finite(sensitivity),
                finite(specificity), threshold, confusion, trainSize, validationSize);
    }

    /** NaN and infinities as null: JSON has no NaN, and an undefined figure must not read as a number. */
    public static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
