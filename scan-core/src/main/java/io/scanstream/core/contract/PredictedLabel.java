package io.scanstream.core.contract;

/** The label of a prediction; {@code UNDETERMINED} only while no model version exists yet. */
public enum PredictedLabel {
    COVID,
    NON_COVID,
    UNDETERMINED
}
