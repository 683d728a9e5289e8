package io.scanstream.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time of a process's threads, grouped by name, from {@code /proc/<pid>/task/<tid>/stat}: where a run spends
 * its cores (the broker's request threads, the loop, the batcher, the engine's own native threads).
 * Linux names a thread by its first 15 characters ({@code comm}); digits are folded to {@code #} so that a pool's
 * threads add up to one row. A thread that ends between two snapshots loses its time: compare steady states.
 */
final class ThreadCpu {

    private ThreadCpu() {
    }

    /** CPU clock ticks per thread group of this JVM now. */
    static Map<String, Long> snapshot() {
        return snapshot(Path.of("/proc/self/task"));
    }

    /** CPU clock ticks per thread group of another process now (a service the full-stack benchmark started). */
    static Map<String, Long> snapshot(long pid) {
        return snapshot(Path.of("/proc", String.valueOf(pid), "task"));
    }

    private static Map<String, Long> snapshot(Path taskDir) {
        Map<String, Long> ticks = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    ticks.merge(group(stat), ProcessUsage.cpuTicks(stat), Long::sum);
                } catch (NoSuchFileException ended) {
                    // the thread ended while we listed: its time is gone either way
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ticks;
    }

    /** The group of a {@code stat} line: its command name with digits folded. */
    static String group(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc/<pid>/task/<tid>/stat line: no (name)");
        }
        return stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
    }

    /**
     * CPU milliseconds per item of each group between two snapshots, largest first, and the total under
     * {@code "all threads"}; groups under 1 % of the total are summed as {@code "other"}.
     */
    static Map<String, Double> msPerItem(Map<String, Long> before, Map<String, Long> after, long items) {
        if (items <= 0) {
            throw new IllegalArgumentException("items must be > 0, got " + items);
        }
        double msPerTick = 1000 / ProcessUsage.TICKS_PER_SECOND;
        Map<String, Long> delta = after.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)));
        long total = delta.values().stream().mapToLong(Long::longValue).filter(t -> t > 0).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("all threads", total * msPerTick / items);
        long other = 0;
        for (Map.Entry<String, Long> e : delta.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).toList()) {
            if (e.getValue() <= 0) {
                continue;
            }
            if (e.getValue() * 100 < total) {
                other += e.getValue();
            } else {
                out.put(e.getKey(), e.getValue() * msPerTick / items);
            }
        }
        if (other > 0) {
            out.put("other", other * msPerTick / items);
        }
        return out;
    }
}
