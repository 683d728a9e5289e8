package io.scanstream.benchmarks;

import io.scanstream.local.ServiceMetrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What happened to scans around a model swap inside a measured window: latency by slices of the window (by each
 * scan's send time), with the events that fell in each slice (the swap's publication, inference's swap and its later
 * native-heap trim as its counters show them, the first prediction by the new backbone). A trim holds glibc's one
 * arena while it runs; this is where a stall it causes would show.
 */
final class SwapTimeline {

    /** Inference's counters (Prometheus names) whose increments are the events watched. */
    static final String SWAPS = "scanstream_inference_model_swaps_total";
    static final String TRIMS = "scanstream_inference_native_heap_trims_total";

    /** Something that happened at {@code millis} (epoch ms). */
    record Event(long millis, String what) {
    }

    private SwapTimeline() {
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

    /** The lines of a service's log that contain any of {@code markers} (none when the log cannot be read). */
    static List<String> linesMentioning(java.nio.file.Path log, List<String> markers) {
        try (var lines = java.nio.file.Files.lines(log)) {
            return lines.filter(l -> markers.stream().anyMatch(l::contains)).toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * Polls inference's metrics endpoint twice a second and records an event each time one of the watched counters
     * grows: the event's time is within half a second after the fact.
     */
    static final class CounterWatch implements AutoCloseable {

        private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        CounterWatch(int managementPort) {
            ServiceMetrics metrics = new ServiceMetrics(managementPort);
            thread = new Thread(() -> {
                double swaps = Double.NaN;
                double trims = Double.NaN;
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        try {
                            String body = metrics.scrape();
                            long now = System.currentTimeMillis();
                            double s = ServiceMetrics.sum(body, SWAPS);
                            double t = ServiceMetrics.sum(body, TRIMS);
                            if (s > swaps) {
                                events.add(new Event(now, "inference swapped (" + SWAPS + " " + (long) s + ")"));
                            }
                            if (t > trims) {
                                events.add(new Event(now, "native-heap trim (" + TRIMS + " " + (long) t + ")"));
                            }
                            swaps = s;
                            trims = t;
                        } catch (java.io.IOException e) {
                            // inference busy or restarting: the next poll tries again
                        }
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "metrics-watch");
            thread.setDaemon(true);
            thread.start();
        }

        List<Event> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }
}
