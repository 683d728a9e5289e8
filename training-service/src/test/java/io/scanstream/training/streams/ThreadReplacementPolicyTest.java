package io.scanstream.training.streams;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deterministic Streams failure must not be replaced for ever (REPLACE_THREAD alone retried it in a hot loop
 * while readiness stayed UP); occasional failures are still replaced.
 */
class ThreadReplacementPolicyTest {

    private Instant now = Instant.parse("2026-12-01T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void shutsTheClientDownAfterKReplacementsWithinTheWindow() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(3, Duration.ofMinutes(10), clock);
        RuntimeException poison = new IllegalStateException("cannot process record");
        for (int i = 0; i < 3; i++) {
            assertThat(policy.handle(poison)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now = now.plusSeconds(1);
        }
        assertThat(policy.handle(poison)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void failuresFurtherApartThanTheWindowAreAlwaysReplaced() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(10), clock);
        for (int i = 0; i < 20; i++) {
            assertThat(policy.handle(new RuntimeException("transient " + i)))
                    .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now = now.plus(Duration.ofMinutes(6)); // two within any 10 minutes at most
        }
    }

    @Test
    void zeroReplacementsShutsDownAtTheFirstFailure() {
        assertThat(new ThreadReplacementPolicy(0, Duration.ofMinutes(1), clock).handle(new RuntimeException()))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
