package io.scanstream.benchmarks;

import java.util.Collection;

/**
 * Percentiles of a sample of latencies by the nearest-rank method: p is the smallest value with at least p% of the
 * sample at or below it (no interpolation, so every reported value was observed).
 */
public record LatencyPercentiles(int count, double p50, double p95, double p99, double max) {

    public static LatencyPercentiles of(Collection<Double> millis) {
        if (millis.isEmpty()) {
            throw new IllegalArgumentException("no latencies to summarise");
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new LatencyPercentiles(sorted.length, nearestRank(sorted, 50), nearestRank(sorted, 95),
                nearestRank(sorted, 99), sorted[sorted.length - 1]);
    }

    static double nearestRank(double[] sorted, double percent) {
        if (percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("percentile " + percent + " is not within (0, 100]");
        }
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms (n=%d)",
                p50, p95, p99, max, count);
    }
}
