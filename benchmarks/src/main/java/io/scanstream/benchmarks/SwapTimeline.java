package io.scanstream.benchmarks;

import io.scanstream.benchmarks.SendTimeSlices.Event;
import io.scanstream.local.ServiceMetrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What happened around a model swap inside a measured window: the events that {@link SendTimeSlices} marks in the
 * window's slices (inference's swap and its later native-heap trim as its counters show them) and inference's log
 * lines on them. A trim holds glibc's one arena while it runs; the slice it falls in is where a stall would show.
 */
final class SwapTimeline {

    /** Inference's counters (Prometheus names) whose increments are the events watched. */
    static final String SWAPS = "scanstream_inference_model_swaps_total";
    static final String TRIMS = "scanstream_inference_native_heap_trims_total";

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
