package io.scanstream.core.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Replaces a patient reference with a keyed pseudonym (HMAC-SHA256, first 128 bits, hex, prefixed {@code p-}).
 * The same patient always gets the same pseudonym under one key, so training can still split by patient; without
 * the key the reference cannot be recovered or confirmed by guessing. Thread-safe.
 */
public final class PatientPseudonymizer {

    private static final String ALGORITHM = "HmacSHA256";
    /** A key shorter than this is a configuration mistake, not a secret. */
    public static final int MIN_KEY_BYTES = 16;

    private final SecretKeySpec key;

    public PatientPseudonymizer(String secret) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the pseudonymisation key must have at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    public String pseudonymise(String patientRef) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] digest = mac.doFinal(patientRef.trim().getBytes(StandardCharsets.UTF_8));
            return "p-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is available on every JVM", e);
        }
    }
}
