package io.scanstream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and resident memory as Linux reports them in {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/status}. The parsing is pure (a unit test drives it); {@link #read} reads the files.
 *
 * @param cpuTicks  user + system CPU time of all its threads, in clock ticks ({@code utime + stime})
 * @param rssKb     resident set size now ({@code VmRSS})
 * @param peakRssKb the highest resident set size over the process's life ({@code VmHWM})
 */
public record ProcessUsage(long cpuTicks, long rssKb, long peakRssKb) {

    /**
     * Clock ticks per second of {@code /proc/<pid>/stat}: USER_HZ, 100 on every Linux architecture the JDK
     * runs on (the kernel converts to this unit whatever its internal HZ).
     */
    public static final double TICKS_PER_SECOND = 100.0;

    public static ProcessUsage read(long pid) throws IOException {
        Path proc = Path.of("/proc", String.valueOf(pid));
        // One read of status: the kernel reports VmHWM >= VmRSS within one snapshot, not across two reads
        // (resident memory can fall in between, and the high-water mark is only brought up to date on reading).
        String status = Files.readString(proc.resolve("status"));
        return new ProcessUsage(cpuTicks(Files.readString(proc.resolve("stat"))),
                kilobytes(status, "VmRSS"), kilobytes(status, "VmHWM"));
    }

    public double cpuSeconds() {
        return cpuTicks / TICKS_PER_SECOND;
    }

    /**
     * {@code utime + stime} (fields 14 and 15) of a {@code /proc/<pid>/stat} line. The command name (field 2) is
     * in parentheses and may itself hold spaces and parentheses, so the fields are counted after its last ')'.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: no ')' after the command name");
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // fields[0] is field 3 (state), so field n is fields[n - 3]
        if (fields.length < 13) {
            throw new IllegalArgumentException("a /proc/<pid>/stat line with " + (fields.length + 2)
                    + " fields, fewer than the 15 that utime and stime need");
        }
        try {
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("utime/stime in /proc/<pid>/stat are not numbers: " + fields[11]
                    + " " + fields[12]);
        }
    }

    /** A {@code Key:   1234 kB} line of {@code /proc/<pid>/status}, in kB. */
    static long kilobytes(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected " + key + " line in /proc/<pid>/status: " + line);
                }
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("no " + key + " line in /proc/<pid>/status");
    }
}
