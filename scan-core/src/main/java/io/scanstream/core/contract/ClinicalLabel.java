package io.scanstream.core.contract;

/** A clinician's ground truth for a scan. */
public enum ClinicalLabel {
    COVID,
    NON_COVID;

    /** 1 for the positive class (COVID), 0 otherwise: the target of binary cross-entropy. */
    public int target() {
        return this == COVID ? 1 : 0;
    }
}
