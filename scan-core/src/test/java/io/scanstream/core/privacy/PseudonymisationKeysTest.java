package io.scanstream.core.privacy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PseudonymisationKeysTest {

    @Test
    void refusesThePlaceholdersThatShipInThisRepository() {
        for (String key : PseudonymisationKeys.KNOWN) {
            assertThat(PseudonymisationKeys.weakness(key)).as(key).isPresent();
        }
        assertThat(PseudonymisationKeys.weakness("replace-me-with-a-long-random-secret")).get().asString()
                .contains("placeholder");
    }

    @Test
    void refusesWordsOnlyPlaceholdersContainShortKeysAndKeysWithoutVariety() {
        assertThat(PseudonymisationKeys.weakness("our-hospital-changeme-0123456789abcdef")).get().asString().contains("changeme");
        assertThat(PseudonymisationKeys.weakness("0123456789abcdef")).get().asString().contains("too short");
        assertThat(PseudonymisationKeys.weakness("abababababababababababababababababab")).get().asString()
                .contains("variety");
        assertThat(PseudonymisationKeys.weakness("   ")).isPresent();
        assertThat(PseudonymisationKeys.weakness(null)).isPresent();
    }

    @Test
    void acceptsGeneratedKeysAndSaysHowToMakeOneWithoutEchoingTheKey() {
        String key = PseudonymisationKeys.generate();
        assertThat(key).hasSize(64);
        assertThat(PseudonymisationKeys.weakness(key)).isEmpty();
        assertThat(PseudonymisationKeys.requireStrong(key)).isEqualTo(key);
        assertThatThrownBy(() -> PseudonymisationKeys.requireStrong("dev-only-pseudonymisation-key-change-me"))
                .hasMessageContaining("openssl rand -hex 32").hasMessageNotContaining("dev-only-pseudonymisation-key");
    }
}
