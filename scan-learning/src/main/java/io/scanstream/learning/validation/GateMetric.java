package io.scanstream.learning.validation;

import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.model.metrics.BinaryEvaluation;

/**
 * What the champion/challenger gate compares. AUC is threshold-free (the default); the others are taken at the
 * threshold maximising Youden's J on the rows compared, for each model alike.
 */
public enum GateMetric {
    /** ROC AUC: threshold-free, the default. */
    AUC,
    ACCURACY,
    F1,
    /** Sensitivity + specificity − 1 at the operating threshold. */
    YOUDEN_J;

    public double of(BinaryEvaluation evaluation) {
        return switch (this) {
            case AUC -> evaluation.auc();
            case ACCURACY -> evaluation.accuracy();
            case F1 -> evaluation.f1();
            case YOUDEN_J -> evaluation.sensitivity() + evaluation.specificity() - 1;
        };
    }

    /** The metric of these scores on these rows. */
    public double of(double[] scores, boolean[] covid) {
        return of(ThresholdRule.YOUDEN.evaluate(scores, covid));
    }
}
