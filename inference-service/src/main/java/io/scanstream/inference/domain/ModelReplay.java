package io.scanstream.inference.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this replica has replayed the model topics up to where they ended when it started: until then it
 * must not serve scans, or it would answer UNDETERMINED, then with older versions, before it reaches the one in
 * service. The end offsets are taken once ({@link #expect}: {@code models.published} first, then
 * {@code models.backbones}, so that every version below its end finds the backbone it needs below the backbones'
 * end: training acknowledges a backbone before it publishes the version); each record is reported once its handler
 * has returned ({@link #handled}; a version is then loaded, warmed up and pending, or refused, or waiting for a
 * backbone that is not there). Complete when every partition's handled position reached its end. Thread-safe.
 */
public final class ModelReplay {

    private final Map<String, Long> ends = new ConcurrentHashMap<>();
    private final Map<String, Long> reached = new ConcurrentHashMap<>();
    private volatile boolean expected;

    /** The partition's name in {@link #expect} and {@link #handled}. */
    public static String partition(String topic, int partition) {
        return topic + "-" + partition;
    }

    /** The end offsets (next offset to be written) per partition, as they were at start. Once. */
    public void expect(Map<String, Long> endOffsets) {
        if (expected) {
            throw new IllegalStateException("the end offsets were taken already");
        }
        endOffsets.forEach((p, end) -> {
            if (end < 0) {
                throw new IllegalArgumentException("end offset of " + p + " is negative: " + end);
            }
        });
        ends.putAll(endOffsets);
        expected = true;
    }

    /** The record at {@code offset} of {@code partition} was handled (served, refused or waiting). */
    public void handled(String partition, long offset) {
        reached.merge(partition, offset + 1, Math::max);
    }

    public boolean complete() {
        return expected && ends.entrySet().stream()
                .allMatch(e -> reached.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** What is still to be read, for health: partition → "reached/end"; empty when complete. */
    public Map<String, String> remaining() {
        Map<String, String> remaining = new LinkedHashMap<>();
        if (!expected) {
            remaining.put("end offsets", "not taken yet (broker unreachable?)");
        }
        ends.forEach((p, end) -> {
            long at = reached.getOrDefault(p, 0L);
            if (at < end) {
                remaining.put(p, at + "/" + end);
            }
        });
        return remaining;
    }

    /** The end offset taken for {@code partition}, if any. */
    public Optional<Long> end(String partition) {
        return Optional.ofNullable(ends.get(partition));
    }
}
