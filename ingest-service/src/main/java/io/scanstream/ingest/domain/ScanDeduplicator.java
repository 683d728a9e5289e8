package io.scanstream.ingest.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers the content hash of the most recently accepted scan ids, in bounded memory (least recently accepted
 * forgotten first), so a device's re-delivery of the same scan is not processed twice.
 *
 * <p>Only accepted scans are remembered, and only once their outputs are committed: a scan that was rejected
 * may be sent again (fixed), and a batch whose transaction aborted is re-read without being mistaken for a
 * duplicate. Thread-safe.
 */
public final class ScanDeduplicator {

    /** What a scan id was seen with before. */
    public enum Verdict { NEW, SAME_CONTENT, DIFFERENT_CONTENT }

    private final Map<String, String> accepted;

    public ScanDeduplicator(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.accepted = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized Verdict check(String scanId, String contentSha256) {
        return Optional.ofNullable(accepted.get(scanId))
                .map(known -> known.equals(contentSha256) ? Verdict.SAME_CONTENT : Verdict.DIFFERENT_CONTENT)
                .orElse(Verdict.NEW);
    }

    public synchronized void remember(String scanId, String contentSha256) {
        accepted.put(scanId, contentSha256);
    }

    public synchronized int size() {
        return accepted.size();
    }
}
