package io.scanstream.core.privacy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which pseudonymisation keys ingest refuses at start-up. A pseudonym is an HMAC of the patient reference: whoever
 * knows the key can enumerate MRN-like references and reverse every pseudonym. So a key must be a real secret: not a
 * placeholder that ships in this repository's files or docs, and with enough randomness that it cannot be guessed
 * (at least {@value #MIN_CHARACTERS} characters drawn from at least {@value #MIN_DISTINCT} distinct ones, as a
 * {@link #generate() generated} 64-hex-digit key is). Plain Java, used by ingest and the local stack.
 */
public final class PseudonymisationKeys {

    /** 128 bits as hex; a generated key has 64 hex digits (256 bits). */
    public static final int MIN_CHARACTERS = 32;
    public static final int MIN_DISTINCT = 10;

    /** Keys that appear in this repository's files and docs, and words that only placeholders contain. */
    static final List<String> KNOWN = List.of("replace-me-with-a-long-random-secret",
            "dev-only-pseudonymisation-key-change-me", "test-only-pseudonymisation-key",
            "system-test-pseudonymisation-key");
    static final List<String> PLACEHOLDER_WORDS = List.of("replace", "change-me", "changeme", "change_me",
            "placeholder", "example", "secret", "password", "dummy", "default", "xxxx", "todo");

    private PseudonymisationKeys() {
    }

    /** Why the key must not be used, or empty when it may. Never echoes the key. */
    public static Optional<String> weakness(String key) {
        if (key == null || key.isBlank()) {
            return Optional.of("no pseudonymisation key is configured");
        }
        String k = key.strip();
        String lower = k.toLowerCase(Locale.ROOT);
        if (KNOWN.contains(lower)) {
            return Optional.of("the pseudonymisation key is a placeholder published in ScanStream's own files");
        }
        for (String word : PLACEHOLDER_WORDS) {
            if (lower.contains(word)) {
                return Optional.of("the pseudonymisation key looks like a placeholder (it contains \"" + word + "\")");
            }
        }
        if (k.getBytes(StandardCharsets.UTF_8).length < MIN_CHARACTERS) {
            return Optional.of("the pseudonymisation key is too short: at least " + MIN_CHARACTERS
                    + " characters of random data are needed");
        }
        if (k.chars().distinct().count() < MIN_DISTINCT) {
            return Optional.of("the pseudonymisation key has too little variety (fewer than " + MIN_DISTINCT
                    + " distinct characters): it can be guessed");
        }
        return Optional.empty();
    }

    /** Throws with the reason and how to make a good key when {@link #weakness} finds one. */
    public static String requireStrong(String key) {
        weakness(key).ifPresent(reason -> {
            throw new IllegalArgumentException(reason + ". Generate one with `openssl rand -hex 32` and give it as a"
                    + " Secret (file or environment variable), never in a ConfigMap; see docs/security.md");
        });
        return key.strip();
    }

    /** A fresh key: 32 random bytes as 64 hex digits. */
    public static String generate() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return HexFormat.of().formatHex(key);
    }
}
