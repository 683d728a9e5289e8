package io.scanstream.learning.validation;

import io.scanstream.model.metrics.BinaryEvaluation;

/** What the champion/challenger gate compares, on the validation split, at the threshold chosen on it. */
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
}
