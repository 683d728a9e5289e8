package io.scanstream.testing.security;

import io.scanstream.core.security.TokenIssuer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Bearer tokens for tests, from an issuer of the test JVM's own: one RSA key pair per JVM, kept in a directory named
 * after the JVM's pid so that the test resources (which give the application the public key) and the tests (which
 * sign tokens) share it even when Quarkus loads this class twice. {@link #config()} is what an application needs
 * to verify them.
 */
public final class TestTokens {

    public static final String ISSUER = "https://scanstream.test/issuer";

    private TestTokens() {
    }

    public static TokenIssuer issuer() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "scanstream-test-tokens-" + ProcessHandle.current().pid());
        try {
            return TokenIssuer.openOrCreate(dir, ISSUER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration that makes an application trust this issuer. */
    public static Map<String, String> config() {
        return Map.of("mp.jwt.verify.publickey.location", issuer().publicKeyFile().toString(),
                "mp.jwt.verify.issuer", ISSUER);
    }

    /** A token valid for ten minutes. */
    public static String token(String subject, String... roles) {
        return issuer().issue(subject, List.of(roles), Duration.ofMinutes(10));
    }

    /** {@code Authorization} header value. */
    public static String bearer(String subject, String... roles) {
        return "Bearer " + token(subject, roles);
    }
}
