package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SendTimeSlicesTest {

    /** A scan sent at {@code sentMillis} whose outcome was seen {@code latencyMillis} later. */
    private static ScanTraffic.Outcome outcome(long index, long sentMillis, long latencyMillis) {
        return new ScanTraffic.Outcome(index, sentMillis * 1_000_000, (sentMillis + latencyMillis) * 1_000_000, true,
                sentMillis, sentMillis + latencyMillis - 5, sentMillis + latencyMillis);
    }

    @Test
    void slicesTheWindowBySendTimeAndMarksEachEventInItsSlice() {
        long t0 = 1_000_000;
        List<ScanTraffic.Outcome> outcomes = List.of(outcome(0, t0, 60), outcome(1, t0 + 2_000, 80),
                outcome(2, t0 + 5_000, 400), outcome(3, t0 + 9_999, 70), outcome(4, t0 + 10_000, 65));
        List<String> rows = SendTimeSlices.rows(outcomes, t0, 5, List.of(
                new SendTimeSlices.Event(t0 + 6_500, "trim"), new SendTimeSlices.Event(t0 - 300, "early"),
                new SendTimeSlices.Event(t0 + 99_000, "late")));

        assertThat(rows).containsExactly(
                "| 0–5 | 2 | 60 | 80 | 80 | early at +-0.3 s |",
                "| 5–10 | 2 | 70 | 400 | 400 | trim at +6.5 s |",
                "| 10–15 | 1 | 65 | 65 | 65 | late at +99.0 s |");
    }

    @Test
    void aSliceWithoutScansSaysSo() {
        List<String> rows = SendTimeSlices.rows(List.of(outcome(0, 0, 50), outcome(1, 11_000, 50)), 0, 5, List.of());

        assertThat(rows).containsExactly("| 0–5 | 1 | 50 | 50 | 50 |  |", "| 5–10 | 0 | – | – | – |  |",
                "| 10–15 | 1 | 50 | 50 | 50 |  |");
        assertThat(SendTimeSlices.rows(List.of(), 0, 5, List.of())).isEmpty();
    }
}
