package io.scanstream.model;

import java.nio.file.Path;

/**
 * The settings DJL reads once, when the engine is first touched: no network access, and libtorch's threads within a
 * container's CPU limit ({@link EngineThreads}). Services call {@link #configure(Path)} at startup, before any other
 * class of this module, and the factories here call {@link #configure()} as a safety net. Settings the operator
 * already made (system property or environment variable) win.
 */
public final class DjlEnvironment {

    public static final String OFFLINE = "ai.djl.offline";
    public static final String CACHE_DIR = "DJL_CACHE_DIR";
    /** DJL sends telemetry from some cloud hosts unless this is set. */
    static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";
    /** libtorch's intra-op threads; DJL reads this system property only (no environment variable). */
    public static final String PYTORCH_THREADS = "ai.djl.pytorch.num_threads";

    private DjlEnvironment() {
    }

    /**
     * Offline mode, no telemetry, libtorch's threads; the cache directory stays DJL's default ({@code ~/.djl.ai})
     * unless set.
     */
    public static void configure() {
        configure(null);
    }

    /**
     * @param cacheDir where libtorch unpacks (about 430 MB) when neither {@code DJL_CACHE_DIR} property nor
     *                 environment variable is set; null keeps DJL's default
     */
    public static synchronized void configure(Path cacheDir) {
        setIfUnset(OFFLINE, "DJL_OFFLINE", "true");
        setIfUnset(OPT_OUT_TRACKING, OPT_OUT_TRACKING, "true");
        if (cacheDir != null) {
            setIfUnset(CACHE_DIR, CACHE_DIR, cacheDir.toAbsolutePath().toString());
        }
        if (System.getProperty(PYTORCH_THREADS) == null) {
            EngineThreads.limit().ifPresent(threads -> System.setProperty(PYTORCH_THREADS, Integer.toString(threads)));
        }
    }

    private static void setIfUnset(String property, String environmentVariable, String value) {
        if (System.getProperty(property) == null && System.getenv(environmentVariable) == null) {
            System.setProperty(property, value);
        }
    }
}
