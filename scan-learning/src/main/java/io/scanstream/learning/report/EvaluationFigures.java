package io.scanstream.learning.report;

import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;
import io.scanstream.learning.evaluate.GroupBootstrap;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;

import java.util.List;

/**
 * Figures of a model on one split at one threshold, as reports carry them (JSON): undefined figures (a class
 * missing) are null, never NaN.
 */
public record EvaluationFigures(Double auc, Double accuracy, Double f1, Double sensitivity, Double specificity,
                                double threshold, String thresholdRule, ConfusionMatrix confusion,
                                List<RocPoint> roc, ModelMetrics.Intervals intervals) {

    /** The documented rule for the operating threshold. */
    public static final String YOUDEN_RULE = "maximise Youden's J (sensitivity + specificity - 1) over the cuts"
            + " between neighbouring validation scores; in the best gap take 0.5 when it lies there, else the gap's"
            + " middle; ties: closest to 0.5, then the lower";

    /** For figures on training rows at the threshold chosen on validation. */
    public static final String VALIDATION_THRESHOLD = "the validation threshold";

    public static EvaluationFigures of(BinaryEvaluation e, String rule) {
        return of(e, rule, null);
    }

    /** With the confidence intervals of the figures, when they were computed. */
    public static EvaluationFigures of(BinaryEvaluation e, String rule, GroupBootstrap.Figures intervals) {
        return new EvaluationFigures(BinaryEvaluation.finite(e.auc()), BinaryEvaluation.finite(e.accuracy()),
                BinaryEvaluation.finite(e.f1()), BinaryEvaluation.finite(e.sensitivity()),
                BinaryEvaluation.finite(e.specificity()), e.threshold(), rule, e.confusion(),
                e.roc().stream().map(RocPoint::of).toList(), intervals == null ? null : intervals(intervals));
    }

    /** Bootstrap intervals as a model version states them. */
    public static ModelMetrics.Intervals intervals(GroupBootstrap.Figures f) {
        return new ModelMetrics.Intervals(range(f.auc()), range(f.accuracy()), range(f.sensitivity()),
                range(f.specificity()), f.level(), f.resamples(), f.groups());
    }

    private static ModelMetrics.Range range(GroupBootstrap.Interval i) {
        return new ModelMetrics.Range(BinaryEvaluation.finite(i.lower()), BinaryEvaluation.finite(i.upper()));
    }

    /** A ROC point; the first point's threshold (+∞) is null. */
    public record RocPoint(Double threshold, double falsePositiveRate, double truePositiveRate) {

        static RocPoint of(RocCurve.Point p) {
            return new RocPoint(Double.isFinite(p.threshold()) ? p.threshold() : null, p.falsePositiveRate(),
                    p.truePositiveRate());
        }
    }
}
