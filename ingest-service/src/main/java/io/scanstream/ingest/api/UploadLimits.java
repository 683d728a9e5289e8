package io.scanstream.ingest.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds on what uploads ({@code POST /scans}, {@code POST /studies}) may hold in memory at once: each request body
 * is buffered whole (up to {@code maxBodyBytes}), so {@code maxConcurrent} x {@code maxBodyBytes} is the most heap
 * uploads take. A request over the size is refused before its body is read (413), one beyond the bound on
 * concurrent uploads at once (429, with a {@code Retry-After}), instead of an OutOfMemoryError later. Plain Java:
 * {@link UploadLimitsRoute} applies it to the HTTP server.
 */
public final class UploadLimits {

    /** Why an upload is refused: the HTTP status, and the JSON problem's reason and detail. */
    public record Refusal(int status, String reason, String detail) {
    }

    /** A held upload slot: {@link #release()} once the response is done (idempotent). */
    public interface Permit {
        void release();
    }

    private final long maxBodyBytes;
    private final int maxConcurrent;
    private final Duration retryAfter;
    private final Semaphore slots;

    public UploadLimits(long maxBodyBytes, int maxConcurrent, Duration retryAfter) {
        if (maxBodyBytes < 1 || maxConcurrent < 1 || retryAfter.isNegative()) {
            throw new IllegalArgumentException("upload limits must be positive: max body " + maxBodyBytes
                    + " bytes, " + maxConcurrent + " concurrent, retry after " + retryAfter);
        }
        this.maxBodyBytes = maxBodyBytes;
        this.maxConcurrent = maxConcurrent;
        this.retryAfter = retryAfter;
        this.slots = new Semaphore(maxConcurrent);
    }

    /** A refusal for a declared body length over the limit; a request without Content-Length is counted as read. */
    public Optional<Refusal> checkLength(String contentLength) {
        if (contentLength == null || contentLength.isBlank()) {
            return Optional.empty();
        }
        long length;
        try {
            length = Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return Optional.of(new Refusal(400, "MALFORMED_REQUEST", "Content-Length '" + contentLength
                    + "' is not a number"));
        }
        if (length > maxBodyBytes) {
            return Optional.of(new Refusal(413, "TOO_LARGE", "request body of " + length + " bytes exceeds the limit of "
                    + maxBodyBytes + " bytes (ingest.http.max-body-bytes); send one scan per request, or fewer DICOM"
                    + " instances per STOW-RS request"));
        }
        return Optional.empty();
    }

    /** A slot for one upload, or empty when {@code maxConcurrent} are in progress. */
    public Optional<Permit> tryEnter() {
        if (!slots.tryAcquire()) {
            return Optional.empty();
        }
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        });
    }

    /** The refusal of an upload that found no slot. */
    public Refusal busy() {
        return new Refusal(429, "TOO_MANY_UPLOADS", maxConcurrent + " uploads are in progress, the most this replica"
                + " takes at once (ingest.http.max-concurrent-uploads); retry after " + retryAfterSeconds() + " s");
    }

    /** Whole seconds for the Retry-After header (at least 1). */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    public int inProgress() {
        return maxConcurrent - slots.availablePermits();
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }
}
