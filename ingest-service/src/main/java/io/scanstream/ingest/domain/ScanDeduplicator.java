package io.scanstream.ingest.domain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the content hash of the most recently accepted scan ids, in bounded memory (least recently accepted
 * forgotten first), so a device's re-delivery of the same scan is not processed twice.
 *
 * <p>Only accepted scans are remembered, and only once their outputs are reported committed: a scan that was
 * rejected may be sent again (fixed), and a batch whose transaction aborted is re-read without being mistaken for a
 * duplicate. That report can be wrong: when the consumer group rebalances during a batch, SmallRye aborts the
 * transaction and still completes the batch normally (the fault suite lost a scan to this under a broker kill). So a
 * scan remembered from a report keeps the record it came from, and that very record read again is judged new: had
 * its transaction committed, the group's offsets would be past it and it could not be read again. Scans recalled from
 * the durable seen topic are known committed and have no such exception. Thread-safe.
 */
public final class ScanDeduplicator {

    /** What a scan id was seen with before. */
    public enum Verdict { NEW, SAME_CONTENT, DIFFERENT_CONTENT }

    /** @param position the record it was accepted from, while its commit is only reported; null once known durable */
    private record Seen(String contentSha256, String position) { }

    private final Map<String, Seen> accepted;

    public ScanDeduplicator(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.accepted = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * @param position the record being judged ({@link IncomingScan#position()}); null when unknown
     */
    public synchronized Verdict check(String scanId, String contentSha256, String position) {
        Seen seen = accepted.get(scanId);
        if (seen == null || (seen.position() != null && seen.position().equals(position))) {
            return Verdict.NEW;
        }
        return seen.contentSha256().equals(contentSha256) ? Verdict.SAME_CONTENT : Verdict.DIFFERENT_CONTENT;
    }

    /** A scan whose outcome was reported committed, accepted from the record at {@code position} (null: unknown). */
    public synchronized void remember(String scanId, String contentSha256, String position) {
        accepted.put(scanId, new Seen(contentSha256, position));
    }

    /** A scan known to be committed: read back from the durable seen topic. */
    public synchronized void recall(String scanId, String contentSha256) {
        accepted.put(scanId, new Seen(contentSha256, null));
    }

    public synchronized int size() {
        return accepted.size();
    }
}
