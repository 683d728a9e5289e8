package io.scanstream.training.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class VersionNamesTest {

    @Test
    void namesVersionsByUtcCreationTimeAndRunSoThatTheySortByTime() {
        String earlier = VersionNames.version(Instant.parse("2026-11-25T09:05:07Z"), "ffffffff");
        String later = VersionNames.version(Instant.parse("2026-11-25T10:00:00Z"), "00000000");

        assertThat(earlier).isEqualTo("v20261125090507-ffffffff");
        assertThat(later).isGreaterThan(earlier);
        assertThat(VersionNames.newRunId()).matches("[0-9a-f]{8}").isNotEqualTo(VersionNames.newRunId());
    }
}
