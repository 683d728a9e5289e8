package io.scanstream.inference.domain;

import io.scanstream.core.signing.TrustedModelKeys;
import io.scanstream.inference.domain.ModelVersions.RefusalReason;
import io.scanstream.inference.domain.ModelVersions.Refused;

import java.util.Objects;
import java.util.Optional;

/**
 * Which {@code models.published} records inference believes: signed (Ed25519, {@code ce_signature} and
 * {@code ce_signaturekeyid}) by a key it trusts, checked over the record's value bytes exactly as they arrived,
 * before anything parses or allocates for them. With {@code required} off (development only) an unsigned record
 * passes; a record that does carry a signature must still verify.
 */
public final class VersionSignatures {

    private final TrustedModelKeys keys;
    private final boolean required;

    public VersionSignatures(TrustedModelKeys keys, boolean required) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.required = required;
    }

    public boolean required() {
        return required;
    }

    public TrustedModelKeys keys() {
        return keys;
    }

    /**
     * @param label     what to call the record in the verdict (its key: the version is not read before it verifies)
     * @param keyId     {@code ce_signaturekeyid}, or null
     * @param signature {@code ce_signature}, or null
     * @param value     the record's value bytes
     * @return the refusal, or empty when the record may be read
     */
    public Optional<Refused> check(String label, String keyId, String signature, byte[] value) {
        TrustedModelKeys.Verification verification = keys.verify(keyId, signature, value);
        return switch (verification.outcome()) {
            case VERIFIED -> Optional.empty();
            case UNSIGNED -> required
                    ? Optional.of(new Refused(label, RefusalReason.UNSIGNED, verification.detail()
                    + "; inference.signing.required=true"))
                    : Optional.empty();
            case UNKNOWN_KEY -> Optional.of(new Refused(label, RefusalReason.UNKNOWN_KEY, verification.detail()));
            case BAD_SIGNATURE -> Optional.of(new Refused(label, RefusalReason.BAD_SIGNATURE, verification.detail()));
        };
    }
}
