package io.scanstream.ingest.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadLimitsRulesTest {

    private final UploadLimits limits = new UploadLimits(1000, 2, Duration.ofMillis(1500));

    @Test
    void refusesADeclaredLengthOverTheLimitAndAMalformedOne() {
        assertThat(limits.checkLength("1000")).isEmpty();
        assertThat(limits.checkLength(null)).isEmpty();
        assertThat(limits.checkLength("1001")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.detail()).contains("1001 bytes exceeds the limit of 1000 bytes");
        });
        assertThat(limits.checkLength("lots")).get().extracting(UploadLimits.Refusal::status).isEqualTo(400);
    }

    @Test
    void givesOutAtMostTheBoundOfSlotsAndTakesEachBackOnce() {
        Optional<UploadLimits.Permit> first = limits.tryEnter();
        Optional<UploadLimits.Permit> second = limits.tryEnter();
        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(limits.tryEnter()).isEmpty();
        assertThat(limits.busy().status()).isEqualTo(429);
        first.get().release();
        first.get().release(); // a second release frees nothing more
        assertThat(limits.inProgress()).isEqualTo(1);
        assertThat(limits.tryEnter()).isPresent();
        assertThat(limits.tryEnter()).isEmpty();
    }

    @Test
    void roundsRetryAfterUpToWholeSecondsAndRefusesNonsense() {
        assertThat(limits.retryAfterSeconds()).isEqualTo(2);
        assertThat(new UploadLimits(1, 1, Duration.ZERO).retryAfterSeconds()).isEqualTo(1);
        assertThatThrownBy(() -> new UploadLimits(0, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
