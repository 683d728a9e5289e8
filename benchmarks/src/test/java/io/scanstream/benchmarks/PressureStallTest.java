package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PressureStallTest {

    // /proc/pressure/cpu as this 2-core VM printed it during a half-load run (the "full" line is all zero for CPU).
    private static final String CPU = "some avg10=0.03 avg60=5.21 avg300=25.87 total=389445597\n"
            + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

    @Test
    void readsTheCumulativeSomeStallNotTheFullOneNorTheAverages() {
        assertThat(PressureStall.someTotal(CPU)).isEqualTo(389_445_597L);
    }

    @Test
    void refusesAFileWithoutASomeTotal() {
        assertThatThrownBy(() -> PressureStall.someTotal("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("some");
    }

    @Test
    void givesEachStallAsAShareOfTheWindow() {
        // 15 s of CPU stall and 0.3 s of I/O stall in a 60 s window
        String line = PressureStall.describe(new PressureStall.Snapshot(1_000_000, 500_000),
                new PressureStall.Snapshot(16_000_000, 800_000), 60.0);
        assertThat(line).contains("CPU during 25.0 %").contains("I/O during 0.5 %");
    }
}
