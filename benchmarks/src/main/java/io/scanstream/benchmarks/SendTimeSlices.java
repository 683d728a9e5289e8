package io.scanstream.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A measured window's latency by slices of send time, with the events that fell in each slice: where in the window
 * the slow scans were sent (the start just after the warm-up, a swap, a trim), which the window's one p99 hides.
 */
final class SendTimeSlices {

    private SendTimeSlices() {
    }

    /** Something that happened at {@code millis} (epoch ms). */
    record Event(long millis, String what) {
    }

    /**
     * Markdown rows {@code | sent +s | scans | p50 | p99 | max | events |}, one per {@code sliceSeconds} of send time
     * from {@code fromMillis}; events before the first slice go to it, after the last to the last.
     */
    static List<String> rows(List<ScanTraffic.Outcome> outcomes, long fromMillis, int sliceSeconds, List<Event> events) {
        if (outcomes.isEmpty()) {
            return List.of();
        }
        long sliceMillis = sliceSeconds * 1000L;
        int slices = (int) (outcomes.stream().mapToLong(o -> o.sentMillis() - fromMillis).max().orElseThrow()
                / sliceMillis) + 1;
        List<List<Double>> latencies = new ArrayList<>();
        List<List<String>> marks = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            latencies.add(new ArrayList<>());
            marks.add(new ArrayList<>());
        }
        for (ScanTraffic.Outcome o : outcomes) {
            latencies.get(slice(o.sentMillis(), fromMillis, sliceMillis, slices)).add(o.latencyMillis());
        }
        for (Event e : events) {
            marks.get(slice(e.millis(), fromMillis, sliceMillis, slices)).add(String.format(Locale.ROOT, "%s at +%.1f s",
                    e.what(), (e.millis() - fromMillis) / 1000.0));
        }
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            String lat = latencies.get(i).isEmpty() ? "– | – | –" : format(LatencyPercentiles.of(latencies.get(i)));
            rows.add(String.format(Locale.ROOT, "| %d–%d | %d | %s | %s |", i * sliceSeconds, (i + 1) * sliceSeconds,
                    latencies.get(i).size(), lat, String.join("; ", marks.get(i))));
        }
        return rows;
    }

    private static String format(LatencyPercentiles p) {
        return String.format(Locale.ROOT, "%.0f | %.0f | %.0f", p.p50(), p.p99(), p.max());
    }

    private static int slice(long millis, long fromMillis, long sliceMillis, int slices) {
        long i = Math.floorDiv(millis - fromMillis, sliceMillis);
        return (int) Math.max(0, Math.min(slices - 1, i));
    }
}
