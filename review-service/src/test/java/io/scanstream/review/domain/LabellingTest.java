package io.scanstream.review.domain;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanLabel;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabellingTest {

    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 1, 10, 0, 0, 0, ZoneOffset.UTC);

    private static ScanRow row(PredictedLabel predicted) {
        Double p = predicted == PredictedLabel.UNDETERMINED ? null : predicted == PredictedLabel.COVID ? 0.8 : 0.2;
        return new ScanRow("s1", predicted, p, p == null ? null : 0.5, p == null ? null : "v1", "b", NOW, NOW,
                "/devices/ct", null, null);
    }

    @Test
    void confirmTakesThePredictionAndCorrectTheOtherLabel() {
        ScanLabel confirm = Labelling.label(row(PredictedLabel.COVID), Labelling.parseAction("confirm"), "dr-a", NOW);
        assertThat(confirm).isEqualTo(new ScanLabel("s1", ClinicalLabel.COVID, "dr-a", NOW));
        ScanLabel correct = Labelling.label(row(PredictedLabel.COVID), Labelling.parseAction("CORRECT"), "dr-a", NOW);
        assertThat(correct.label()).isEqualTo(ClinicalLabel.NON_COVID);
        assertThat(Labelling.label(row(PredictedLabel.NON_COVID), Labelling.Action.CORRECT, "dr-a", NOW).label())
                .isEqualTo(ClinicalLabel.COVID);
    }

    @Test
    void anUndeterminedScanNeedsAnExplicitLabel() {
        assertThatThrownBy(() -> Labelling.label(row(PredictedLabel.UNDETERMINED), Labelling.Action.CONFIRM, "dr", NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose COVID or NON_COVID");
        assertThat(Labelling.label(row(PredictedLabel.UNDETERMINED), Labelling.parseAction("non_covid"), "dr", NOW)
                .label()).isEqualTo(ClinicalLabel.NON_COVID);
    }

    @Test
    void refusesAnUnknownAction() {
        assertThatThrownBy(() -> Labelling.parseAction("delete")).hasMessageContaining("confirm, correct");
        assertThatThrownBy(() -> Labelling.parseAction(null)).hasMessageContaining("required");
    }
}
