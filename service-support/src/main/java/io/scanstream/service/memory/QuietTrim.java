package io.scanstream.service.memory;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Trims the native heap ({@link NativeHeap}) once native work has freed memory and then stayed quiet for a while.
 * Trimming right after each piece of work would hand back pages the next piece faults in again (Grad-CAM requests
 * come in bursts); never trimming keeps them for good (glibc's settings, see {@link NativeHeap}). So: work that frees
 * native memory calls {@link #freed()}, a periodic task calls {@link #trimIfQuiet()}, and the trim happens once per
 * quiet spell. Thread-safe.
 */
public final class QuietTrim {

    private final long quietNanos;
    private final LongSupplier nanoTime;
    private final Supplier<Optional<String>> trim;
    // guarded by this
    private boolean freedSinceTrim;
    private long lastFreed;

    /** Trims glibc's heap through the JVM after {@code quiet} without freed native memory. */
    public static QuietTrim ofNativeHeap(Duration quiet) {
        return new QuietTrim(quiet, System::nanoTime, NativeHeap::trim);
    }

    /**
     * @param trim the trim itself, returning its report (empty where it cannot trim)
     */
    public QuietTrim(Duration quiet, LongSupplier nanoTime, Supplier<Optional<String>> trim) {
        if (quiet.isNegative()) {
            throw new IllegalArgumentException("quiet period must not be negative: " + quiet);
        }
        this.quietNanos = quiet.toNanos();
        this.nanoTime = nanoTime;
        this.trim = trim;
    }

    /** Native memory was just freed (an explanation ended, a backbone was closed): trim after the next quiet spell. */
    public synchronized void freed() {
        freedSinceTrim = true;
        lastFreed = nanoTime.getAsLong();
    }

    /**
     * @return the trim's report when it trimmed now; empty when nothing was freed since the last trim, or the quiet
     * spell is not over yet
     */
    public Optional<String> trimIfQuiet() {
        synchronized (this) {
            if (!freedSinceTrim || nanoTime.getAsLong() - lastFreed < quietNanos) {
                return Optional.empty();
            }
            freedSinceTrim = false;
        }
        return trim.get(); // outside the lock: a trim takes milliseconds, freed() must not wait for it
    }
}
