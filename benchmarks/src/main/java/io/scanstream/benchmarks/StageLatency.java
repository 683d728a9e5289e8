package io.scanstream.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Where a scan's latency goes, stage by stage, from wall-clock marks on one machine: the device's send (its
 * {@code acquiredAt}), the timestamps Kafka's producers give ingest's {@code scans.preprocessed} record and inference's
 * {@code scans.predictions} record (both taken at the send, which each stage makes just before it commits its
 * transaction), and the moment the client sees the committed prediction. Millisecond marks: the segments are
 * accurate to about a millisecond, and their means add up to the end-to-end mean (their percentiles do not).
 */
final class StageLatency {

    /** One predicted scan's marks, in epoch milliseconds. */
    record Marks(long scan, int image, long sentMillis, long ingestSentMillis, long inferenceSentMillis,
                 long seenMillis) {
    }

    /** A segment of the path and how to read it off a scan's marks. */
    record Segment(String name, ToLongFunction<Marks> millis) {
    }

    static final List<Segment> SEGMENTS = List.of(
            new Segment("device send -> ingest's output sent (broker, ingest's fetch, queue and decoding)",
                    m -> m.ingestSentMillis() - m.sentMillis()),
            new Segment("-> inference's output sent (ingest's commit, the read_committed hop, batcher, forward pass,"
                    + " the commit interval)", m -> m.inferenceSentMillis() - m.ingestSentMillis()),
            new Segment("-> seen by the client (inference's commit, the client's read_committed fetch)",
                    m -> m.seenMillis() - m.inferenceSentMillis()),
            new Segment("end to end (wall clock)", m -> m.seenMillis() - m.sentMillis()));

    private StageLatency() {
    }

    /**
     * One line per scan (its index, the image it carried as an index into the image list, epoch ms marks), after a
     * header: for plotting when the slow scans came and which images they were.
     */
    static List<String> csv(List<Marks> marks) {
        List<String> lines = new ArrayList<>(marks.size() + 1);
        lines.add("scan,image,sent_ms,ingest_sent_ms,inference_sent_ms,seen_ms");
        marks.forEach(m -> lines.add(m.scan() + "," + m.image() + "," + m.sentMillis() + "," + m.ingestSentMillis()
                + "," + m.inferenceSentMillis() + "," + m.seenMillis()));
        return lines;
    }

    /** Markdown rows {@code | label | segment | p50 | p95 | p99 | mean |}, one per segment; none without marks. */
    static List<String> rows(String label, List<Marks> marks) {
        List<String> rows = new ArrayList<>();
        if (marks.isEmpty()) {
            return rows;
        }
        for (Segment segment : SEGMENTS) {
            List<Double> values = marks.stream().map(m -> (double) segment.millis().applyAsLong(m)).toList();
            LatencyPercentiles p = LatencyPercentiles.of(values);
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            rows.add(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.1f |", label, segment.name(),
                    p.p50(), p.p95(), p.p99(), mean));
        }
        return rows;
    }
}
