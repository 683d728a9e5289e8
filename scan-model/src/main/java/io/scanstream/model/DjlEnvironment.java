package io.scanstream.model;

import java.nio.file.Path;

/**
 * Makes DJL run without network access. DJL reads these settings only from system properties or the environment,
 * once, when the engine is first touched; so services call {@link #ensureOffline(Path)} at startup, before any
 * other class of this module, and the factories here call {@link #ensureOffline()} as a safety net. Settings the
 * operator already made (system property or environment variable) win.
 */
public final class DjlEnvironment {

    public static final String OFFLINE = "ai.djl.offline";
    public static final String CACHE_DIR = "DJL_CACHE_DIR";
    /** DJL sends telemetry from some cloud hosts unless this is set. */
    static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";

    private DjlEnvironment() {
    }

    /** Offline mode and no telemetry; the cache directory stays DJL's default ({@code ~/.djl.ai}) unless set. */
    public static void ensureOffline() {
        ensureOffline(null);
    }

    /**
     * @param cacheDir where libtorch unpacks (about 430 MB) when neither {@code DJL_CACHE_DIR} property nor
     *                 environment variable is set; null keeps DJL's default
     */
    public static synchronized void ensureOffline(Path cacheDir) {
        setIfUnset(OFFLINE, "DJL_OFFLINE", "true");
        setIfUnset(OPT_OUT_TRACKING, OPT_OUT_TRACKING, "true");
        if (cacheDir != null) {
            setIfUnset(CACHE_DIR, CACHE_DIR, cacheDir.toAbsolutePath().toString());
        }
    }

    private static void setIfUnset(String property, String environmentVariable, String value) {
        if (System.getProperty(property) == null && System.getenv(environmentVariable) == null) {
            System.setProperty(property, value);
        }
    }
}
