package io.scanstream.service.logging;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How scan ids appear in log lines: as they are (default), or, with {@code scanstream.logging.hash-scan-ids=true},
 * as {@code h-} and the first 16 hex digits of their SHA-256, so that logs shipped to a wider audience than the
 * topics name no scan a person could look up, while lines of one scan still share one value across services
 * (an operator holding a scan id finds its lines with {@link #hash}). Log lines use {@link #scan(String)}.
 */
@ApplicationScoped
public class LoggedIds {

    /** {@code scanstream.logging.*}. */
    @ConfigMapping(prefix = "scanstream.logging")
    public interface LoggingConfig {
        /** Log {@code h-<sha256 prefix>} instead of scan ids. */
        @WithDefault("false")
        boolean hashScanIds();
    }

    private static volatile boolean hashing;

    private final LoggingConfig config;

    public LoggedIds(LoggingConfig config) {
        this.config = config;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        hashing = config.hashScanIds();
    }

    /** The scan id as log lines show it. */
    public static String scan(String scanId) {
        return hashing && scanId != null ? hash(scanId) : scanId;
    }

    public static String hash(String scanId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(scanId.getBytes(StandardCharsets.UTF_8));
            return "h-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is on every JVM", e);
        }
    }

    static void hashing(boolean on) {
        hashing = on;
    }
}
