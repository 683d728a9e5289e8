package io.scanstream.core.contract;

/** The label of a prediction; {@code UNDETERMINED} only while no model version exists yet. */
public enum PredictedLabel {
    COVID,
    NON_COVID,
    UNDETERMINED;

    /** The decision rule, in one place: COVID when P(COVID) reaches the version's operating threshold. */
    public static PredictedLabel of(double probability, double threshold) {
        return probability >= threshold ? COVID : NON_COVID;
    }
}
