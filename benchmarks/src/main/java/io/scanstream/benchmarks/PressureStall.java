package io.scanstream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The kernel's pressure stall information (PSI, {@code /proc/pressure/cpu} and {@code /io}): for how long at least one
 * task was waiting for a CPU, or for I/O. On a few cores shared by several JVMs this is what queuing costs: half load's
 * slowest scans were the ones whose path overlapped CPU stalls (docs/benchmarks.md, "Where half load's slowest scans
 * come from"). Absent on kernels without PSI: then nothing is printed.
 */
final class PressureStall {

    private static final Path CPU = Path.of("/proc/pressure/cpu");
    private static final Path IO = Path.of("/proc/pressure/io");

    /** Cumulative "some" stall, microseconds, of CPU and of I/O. */
    record Snapshot(long cpuMicros, long ioMicros) {
    }

    private PressureStall() {
    }

    static Optional<Snapshot> read() {
        try {
            return Optional.of(new Snapshot(someTotal(Files.readString(CPU)), someTotal(Files.readString(IO))));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The {@code total=} of the {@code some} line, e.g. {@code some avg10=0.00 avg60=5.21 avg300=25.87
     * total=389445597}.
     */
    static long someTotal(String pressureFile) {
        for (String line : pressureFile.split("\n")) {
            if (line.startsWith("some ")) {
                for (String field : line.trim().split("\\s+")) {
                    if (field.startsWith("total=")) {
                        return Long.parseLong(field.substring("total=".length()));
                    }
                }
            }
        }
        throw new IllegalArgumentException("no 'some ... total=' line in: " + pressureFile);
    }

    /** How much of {@code seconds} some task spent waiting for a CPU and for I/O, as a line of the report. */
    static String describe(Snapshot before, Snapshot after, double seconds) {
        return String.format(Locale.ROOT, "some task waited for a CPU during %.1f %% of the window, for I/O during"
                        + " %.1f %% (/proc/pressure)", percent(after.cpuMicros() - before.cpuMicros(), seconds),
                percent(after.ioMicros() - before.ioMicros(), seconds));
    }

    private static double percent(long micros, double seconds) {
        return micros / 1e6 / seconds * 100;
    }
}
