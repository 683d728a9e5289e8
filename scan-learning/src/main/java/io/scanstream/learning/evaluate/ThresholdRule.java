package io.scanstream.learning.evaluate;

import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.BinaryMetrics;
import io.scanstream.model.metrics.OperatingThreshold;

/**
 * How a version's operating threshold is chosen on its validation rows ({@code training.validation.threshold-rule}).
 * When a class is missing from those rows neither rule is defined and the threshold is 0.5 (the head's probability
 * read as it is). Why PREVALENCE is the default: docs/training.md, "Operating threshold".
 */
public enum ThresholdRule {
    /** {@link OperatingThreshold#matchingPrevalence}: ranks only, steady when the head saturates. */
    PREVALENCE("call as many validation scans COVID as validation holds: midway between the k-th and (k+1)-th"
            + " highest validation scores, k = the COVID count (the k-th itself when they tie)"),
    /** {@link OperatingThreshold#maximisingYoudenJ}: a missed case and a false alarm weigh the same. */
    YOUDEN("maximise Youden's J (sensitivity + specificity - 1) over the cuts between neighbouring validation"
            + " scores; in the best gap take 0.5 when it lies there, else the gap's middle; ties: closest to 0.5,"
            + " then the lower");

    /** When a class is missing. */
    public static final double UNDEFINED_FALLBACK = 0.5;

    private final String description;

    ThresholdRule(String description) {
        this.description = description;
    }

    /** What reports say the rule is. */
    public String description() {
        return description;
    }

    public double threshold(double[] scores, boolean[] covid) {
        long positives = BinaryMetrics.count(covid, true);
        if (positives == 0 || positives == covid.length) {
            return UNDEFINED_FALLBACK;
        }
        return switch (this) {
            case PREVALENCE -> OperatingThreshold.matchingPrevalence(scores, covid).threshold();
            case YOUDEN -> OperatingThreshold.maximisingYoudenJ(scores, covid).threshold();
        };
    }

    /** Every figure of these scores at the threshold this rule picks on them. */
    public BinaryEvaluation evaluate(double[] scores, boolean[] covid) {
        return BinaryEvaluation.at(scores, covid, threshold(scores, covid));
    }
}
