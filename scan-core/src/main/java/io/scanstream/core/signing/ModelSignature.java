package io.scanstream.core.signing;

import java.util.Base64;
import java.util.Objects;

/**
 * A model version's signature as {@code models.published} carries it: the CloudEvents extension attributes
 * {@code ce_signature} (base64 of the 64-byte Ed25519 signature over the record's value bytes) and
 * {@code ce_signaturekeyid} (the signing key's id, {@link ModelSigningKeys#keyId}).
 */
public record ModelSignature(String keyId, byte[] signature) {

    /** CloudEvents extension attribute names (headers {@code ce_signature}, {@code ce_signaturekeyid}). */
    public static final String SIGNATURE_EXTENSION = "signature";
    public static final String KEY_ID_EXTENSION = "signaturekeyid";
    public static final String SIGNATURE_HEADER = "ce_" + SIGNATURE_EXTENSION;
    public static final String KEY_ID_HEADER = "ce_" + KEY_ID_EXTENSION;

    public ModelSignature {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(signature, "signature");
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public String signatureBase64() {
        return Base64.getEncoder().encodeToString(signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSignature other && keyId.equals(other.keyId)
                && java.util.Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode() * 31 + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ModelSignature[keyId=" + keyId + "]";
    }
}
