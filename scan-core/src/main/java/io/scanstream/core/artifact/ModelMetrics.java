package io.scanstream.core.artifact;

import java.util.List;

/**
 * How a head version did in training and on its validation split. All validation figures are at the operating
 * threshold chosen on validation.
 *
 * @param epochs      per-epoch curves
 * @param auc         ROC AUC on validation
 * @param accuracy    validation accuracy
 * @param f1          validation F1 (COVID positive)
 * @param sensitivity validation sensitivity (true positive rate)
 * @param specificity validation specificity (true negative rate)
 * @param threshold   the operating threshold on P(COVID)
 * @param confusion   validation confusion matrix at that threshold
 * @param trainSize   training examples
 * @param validationSize validation examples
 * @param intervals   confidence intervals of the validation figures (group bootstrap), or null
 */
public record ModelMetrics(List<EpochMetrics> epochs, Double auc, Double accuracy, Double f1, Double sensitivity,
                           Double specificity, double threshold, ConfusionMatrix confusion, int trainSize,
                           int validationSize, Intervals intervals) {

    public ModelMetrics {
        epochs = epochs == null ? List.of() : List.copyOf(epochs);
    }

    /** Metrics without intervals. */
    public ModelMetrics(List<EpochMetrics> epochs, Double auc, Double accuracy, Double f1, Double sensitivity,
                        Double specificity, double threshold, ConfusionMatrix confusion, int trainSize,
                        int validationSize) {
        this(epochs, auc, accuracy, f1, sensitivity, specificity, threshold, confusion, trainSize, validationSize,
                null);
    }

    /** A range a figure lies in with the stated confidence; bounds null where undefined. */
    public record Range(Double lower, Double upper) {
    }

    /**
     * Percentile intervals of the validation figures from a bootstrap over groups (patients joined with origins).
     *
     * @param level     e.g. 0.95
     * @param resamples bootstrap resamples
     * @param groups    validation groups resampled
     */
    public record Intervals(Range auc, Range accuracy, Range sensitivity, Range specificity, double level,
                            int resamples, int groups) {
    }

    /** Counts at a threshold, COVID being the positive class. */
    public record ConfusionMatrix(int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

        public int total() {
            return truePositives + falsePositives + trueNegatives + falseNegatives;
        }
    }
}
