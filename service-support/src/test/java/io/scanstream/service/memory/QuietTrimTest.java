package io.scanstream.service.memory;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuietTrimTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger trims = new AtomicInteger();
    private final QuietTrim quietTrim = new QuietTrim(Duration.ofNanos(30), now::get,
            () -> Optional.of("trim " + trims.incrementAndGet()));

    @Test
    void nothingFreedNothingTrimmed() {
        now.addAndGet(1_000);
        assertThat(quietTrim.trimIfQuiet()).isEmpty();
        assertThat(trims).hasValue(0);
    }

    @Test
    void trimsOnceTheQuietSpellAfterTheLastFreeIsOver() {
        quietTrim.freed();
        now.addAndGet(20);
        assertThat(quietTrim.trimIfQuiet()).as("20 of 30 ns quiet").isEmpty();
        quietTrim.freed(); // a burst goes on: the spell starts again
        now.addAndGet(20);
        assertThat(quietTrim.trimIfQuiet()).as("20 ns after the second free").isEmpty();
        now.addAndGet(10);
        assertThat(quietTrim.trimIfQuiet()).contains("trim 1");
        now.addAndGet(100);
        assertThat(quietTrim.trimIfQuiet()).as("nothing freed since").isEmpty();
        assertThat(trims).hasValue(1);
    }

    @Test
    void freeingAgainAfterATrimTrimsAgain() {
        quietTrim.freed();
        now.addAndGet(30);
        assertThat(quietTrim.trimIfQuiet()).contains("trim 1");
        quietTrim.freed();
        now.addAndGet(30);
        assertThat(quietTrim.trimIfQuiet()).contains("trim 2");
    }

    @Test
    void aNegativeQuietSpellIsRefused() {
        assertThatThrownBy(() -> new QuietTrim(Duration.ofSeconds(-1), now::get, Optional::empty))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }
}
