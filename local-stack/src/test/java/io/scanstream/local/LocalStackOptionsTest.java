package io.scanstream.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStackOptionsTest {

    private static final Path HOME = Path.of("/tmp/scanstream-home");

    @Test
    void theFineTunedPathIsOneOptionAndNeedsPretrainedWeights() {
        LocalStackOptions frozen = LocalStackOptions.parse(List.of(), HOME);
        LocalStackOptions fineTuned = LocalStackOptions.parse(List.of("--fine-tune", "100", "--backbone-weights",
                "models/mobilenet_v2.pt"), HOME);

        assertThat(frozen.fineTuneEvery()).isZero();
        assertThat(fineTuned.fineTuneEvery()).isEqualTo(100);
        assertThat(fineTuned.backboneWeights()).contains(HOME.resolve("models/mobilenet_v2.pt"));
        assertThatThrownBy(() -> LocalStackOptions.parse(List.of("--fine-tune", "100"), HOME))
                .hasMessageContaining("--backbone-weights");
        assertThatThrownBy(() -> LocalStackOptions.parse(List.of("--fine-tune", "-1", "--backbone-weights", "w.pt"),
                HOME)).hasMessageContaining(">= 0");
        assertThat(LocalStackOptions.HELP).contains("--fine-tune N");
    }

    @Test
    void theWorkstationListensOn8084AndItsManagementOn9084UnlessToldOtherwise() {
        LocalStackOptions defaults = LocalStackOptions.parse(List.of(), HOME);
        assertThat(defaults.reviewPort()).isEqualTo(8084);
        assertThat(defaults.reviewManagementPort()).isEqualTo(9084);
        LocalStackOptions moved = LocalStackOptions.parse(List.of("--review-port", "18084", "--review-management-port",
                "19084"), HOME);
        assertThat(moved.reviewPort()).isEqualTo(18084);
        assertThat(moved.reviewManagementPort()).isEqualTo(19084);
        assertThat(LocalStackOptions.HELP).contains("--review-port N");
    }
}
