package io.scanstream.review.domain;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanLabel;

import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Objects;

/**
 * What a radiologist's action on a scan means as a label: confirm takes the predicted label, correct the other
 * one; a scan predicted UNDETERMINED (no version served) takes an explicit COVID or NON_COVID.
 */
public final class Labelling {

    public enum Action { CONFIRM, CORRECT, COVID, NON_COVID }

    private Labelling() {
    }

    public static Action parseAction(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("action is required: confirm, correct, covid or non_covid");
        }
        try {
            return Action.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("action must be confirm, correct, covid or non_covid, got '" + value + "'");
        }
    }

    /** @throws IllegalArgumentException when the action has no meaning for this row (confirm of UNDETERMINED) */
    public static ScanLabel label(ScanRow row, Action action, String user, OffsetDateTime now) {
        Objects.requireNonNull(user, "user");
        ClinicalLabel label = switch (action) {
            case COVID -> ClinicalLabel.COVID;
            case NON_COVID -> ClinicalLabel.NON_COVID;
            case CONFIRM -> predicted(row);
            case CORRECT -> predicted(row) == ClinicalLabel.COVID ? ClinicalLabel.NON_COVID : ClinicalLabel.COVID;
        };
        return new ScanLabel(row.scanId(), label, user, now);
    }

    private static ClinicalLabel predicted(ScanRow row) {
        if (row.predicted() == PredictedLabel.UNDETERMINED) {
            throw new IllegalArgumentException("scan " + row.scanId()
                    + " has no predicted label to confirm or correct (no model version served): choose COVID or NON_COVID");
        }
        return row.predicted() == PredictedLabel.COVID ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
    }
}
