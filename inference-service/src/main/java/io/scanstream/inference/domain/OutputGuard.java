package io.scanstream.inference.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the head versions' outputs for NaN and infinities: a non-finite output is never published (the scan is
 * rejected as INTERNAL), and after {@code limit} consecutive non-finite outputs from one version that version is
 * withdrawn: the batch thread serves its backbone without a head (predictions UNDETERMINED, embeddings still
 * published) until {@link ModelVersions#withdrawn} has loaded the last good version in its place, or another version
 * is accepted. A finite output resets the version's count. Used by the batch thread only.
 */
public final class OutputGuard {

    /** The default: this many scans in a row with NaN or infinite outputs withdraw a version. */
    public static final int DEFAULT_LIMIT = 8;

    /** Told about non-finite outputs and withdrawals, for metrics and logs. */
    public interface Observer {
        Observer NONE = new Observer() { };

        /** A scan's output was NaN or infinite ({@code version} null: the backbone's embedding was). */
        default void nonFinite(String version, String backboneId) {
        }

        /** {@code version} produced {@code consecutive} non-finite outputs in a row and serves no more. */
        default void withdrawn(String version, int consecutive) {
        }

        /** A Throwable that is not an Exception (an Error: out of memory, stack overflow, ...) ended a forward pass. */
        default void forwardError(Throwable error) {
        }
    }

    private final int limit;
    private final Observer observer;
    private final Map<String, Integer> consecutive = new HashMap<>();
    private final Set<String> withdrawn = ConcurrentHashMap.newKeySet();

    public OutputGuard(int limit, Observer observer) {
        if (limit < 1) {
            throw new IllegalArgumentException("the non-finite limit must be at least 1, got " + limit);
        }
        this.limit = limit;
        this.observer = observer;
    }

    public int limit() {
        return limit;
    }

    /** Whether {@code version} was withdrawn for its outputs. */
    public boolean withdrawn(String version) {
        return withdrawn.contains(version);
    }

    /** The versions withdrawn so far (for health). */
    public Set<String> withdrawnVersions() {
        return Set.copyOf(withdrawn);
    }

    /** A finite output of {@code version}: its run of non-finite outputs ends. */
    void finite(String version) {
        consecutive.remove(version);
    }

    /**
     * A non-finite output of {@code version} on {@code backboneId}.
     *
     * @return true when this output withdrew the version
     */
    boolean nonFinite(String version, String backboneId) {
        observer.nonFinite(version, backboneId);
        if (version == null || withdrawn.contains(version)) {
            return false;
        }
        int run = consecutive.merge(version, 1, Integer::sum);
        if (run < limit) {
            return false;
        }
        consecutive.remove(version);
        withdrawn.add(version);
        observer.withdrawn(version, run);
        return true;
    }

    void forwardError(Throwable error) {
        observer.forwardError(error);
    }

    /** True when every value is a finite number. */
    static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
