package io.scanstream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What a benchmark ran on, from /proc: cores, CPU model, memory, load average. */
final class MachineInfo {

    private MachineInfo() {
    }

    static String describe() {
        return String.format(Locale.ROOT, "machine: %d cores (nproc), %s, %s RAM; JVM %s, %s %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), memTotal(), System.getProperty("java.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** The 1, 5 and 15 minute load averages. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("CPU model unknown");
        } catch (IOException e) {
            return "CPU model unknown";
        }
    }

    private static String memTotal() {
        try {
            long kb = ProcessUsage.kilobytes(Files.readString(Path.of("/proc/meminfo")), "MemTotal");
            return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        } catch (IOException | IllegalArgumentException e) {
            return "unknown";
        }
    }
}
