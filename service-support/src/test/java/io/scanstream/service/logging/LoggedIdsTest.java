package io.scanstream.service.logging;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoggedIdsTest {

    @AfterEach
    void off() {
        LoggedIds.hashing(false);
    }

    @Test
    void scanIdsAppearAsTheyAreUnlessHashingIsOn() {
        assertThat(LoggedIds.scan("scan-42")).isEqualTo("scan-42");
        LoggedIds.hashing(true);
        assertThat(LoggedIds.scan("scan-42")).startsWith("h-").hasSize(18).doesNotContain("42")
                .isEqualTo(LoggedIds.hash("scan-42"));
        assertThat(LoggedIds.scan("scan-43")).isNotEqualTo(LoggedIds.scan("scan-42"));
    }
}
