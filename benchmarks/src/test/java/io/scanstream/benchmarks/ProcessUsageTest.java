package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessUsageTest {

    // A real /proc/<pid>/stat line of a JVM (utime 1234, stime 56), truncated after field 22.
    private static final String STAT = "4242 (java) S 1 4242 4242 0 -1 4194560 81234 0 12 0 1234 56 0 0 20 0 37 0 "
            + "123456 5012345678 123456";

    @Test
    void sumsUserAndSystemTicksOfTheStatLine() {
        assertThat(ProcessUsage.cpuTicks(STAT)).isEqualTo(1290);
    }

    @Test
    void countsFieldsAfterTheLastParenthesisSoACommandNameWithSpacesAndParenthesesDoesNotShiftThem() {
        String odd = STAT.replace("(java)", "(my (odd) name)");
        assertThat(ProcessUsage.cpuTicks(odd)).isEqualTo(1290);
    }

    @Test
    void rejectsAStatLineTooShortForUtimeAndStime() {
        assertThatThrownBy(() -> ProcessUsage.cpuTicks("4242 (java) S 1 4242"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer than the 15");
        assertThatThrownBy(() -> ProcessUsage.cpuTicks("no parenthesis here"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsKilobyteLinesOfTheStatusFile() {
        String status = "Name:\tjava\nVmPeak:\t 5123456 kB\nVmHWM:\t  812345 kB\nVmRSS:\t  654321 kB\nThreads:\t37\n";
        assertThat(ProcessUsage.kilobytes(status, "VmRSS")).isEqualTo(654321);
        assertThat(ProcessUsage.kilobytes(status, "VmHWM")).isEqualTo(812345);
        assertThatThrownBy(() -> ProcessUsage.kilobytes(status, "VmSwap"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no VmSwap line");
        assertThatThrownBy(() -> ProcessUsage.kilobytes(status, "Threads"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected Threads line");
    }

    @Test
    void readsThisProcessFromProc() throws IOException {
        ProcessUsage self = ProcessUsage.read(ProcessHandle.current().pid());
        assertThat(self.cpuTicks()).isPositive(); // a JVM that ran a test has used CPU
        assertThat(self.rssKb()).isPositive();
        assertThat(self.peakRssKb()).isGreaterThanOrEqualTo(self.rssKb());
    }
}
