package io.scanstream.ingest.health;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether ingest's transactional producer still commits. A fenced producer (another instance took the
 * transactional id) or a transaction stuck beyond {@code max.block.ms} leaves every later {@code beginTransaction}
 * failing: batches are re-read and aborted for ever while the process looks healthy. After {@code limit}
 * consecutive failed transactions liveness goes DOWN, so that Kubernetes (or compose, once the process exits)
 * restarts it with a new producer; one committed transaction resets the count. Plain Java: the liveness check and
 * the consumer share one instance.
 */
public final class TransactionHealth {

    /** The default: this many failed transactions in a row mean the producer is stuck. */
    public static final int DEFAULT_LIMIT = 5;

    private final int limit;
    private final Clock clock;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private volatile Instant lastCommit;

    public TransactionHealth(int limit, Clock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("the failed-transaction limit must be at least 1, got " + limit);
        }
        this.limit = limit;
        this.clock = clock;
    }

    public void committed() {
        consecutiveFailures.set(0);
        lastCommit = clock.instant();
    }

    /** @return the number of consecutive failures now */
    public int failed(Throwable cause) {
        lastFailure.set(String.valueOf(cause));
        return consecutiveFailures.incrementAndGet();
    }

    /** True once {@code limit} transactions in a row failed: the producer is unusable (fenced or stuck). */
    public boolean stuck() {
        return consecutiveFailures.get() >= limit;
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public int limit() {
        return limit;
    }

    /** The last failure's description, or null. */
    public String lastFailure() {
        return lastFailure.get();
    }

    /** When a transaction last committed, or null. */
    public Instant lastCommit() {
        return lastCommit;
    }
}
