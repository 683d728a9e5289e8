package io.scanstream.training.streams;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The training set's answer to a failed stream thread: replace it (a transient failure: the broker away, a
 * rebalance gone wrong), but not for ever. A deterministic failure (a record the topology cannot process) fails
 * every replacement the same way; after {@code maxReplacements} replacements within {@code window} the next
 * failure shuts the Streams client down ({@code SHUTDOWN_CLIENT}): Kafka Streams goes to ERROR, readiness goes DOWN
 * and says so, instead of a hot loop behind a readiness that stays UP.
 */
public final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(ThreadReplacementPolicy.class);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> replacements = new ArrayDeque<>();

    public ThreadReplacementPolicy(int maxReplacements, Duration window, Clock clock) {
        if (maxReplacements < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("max replacements must be >= 0 and the window positive, got "
                    + maxReplacements + " in " + window);
        }
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        Instant now = clock.instant();
        while (!replacements.isEmpty() && !replacements.peekFirst().isAfter(now.minus(window))) {
            replacements.pollFirst();
        }
        if (replacements.size() >= maxReplacements) {
            LOG.errorf(exception, "training-set.stream-thread.failed replacements=%d within=%s; shutting the Streams"
                    + " client down (readiness DOWN): the failure is not transient", replacements.size(), window);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        LOG.errorf(exception, "training-set.stream-thread.failed replacing the thread (%d of %d within %s)",
                replacements.size(), maxReplacements, window);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
