package io.scanstream.core.signing;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/**
 * Signs model versions (training): Ed25519 over the exact value bytes of the {@code models.published} record (the
 * version's artifact: metadata with the backbone reference, and head weights), with the key id of the signing key.
 */
public final class ModelSigner {

    private final PrivateKey key;
    private final String keyId;

    public ModelSigner(PrivateKey key, PublicKey publicKey) {
        this.key = Objects.requireNonNull(key, "key");
        this.keyId = ModelSigningKeys.keyId(publicKey);
    }

    /** The signer of a PKCS#8 PEM file (its public key, and so its key id, derived from it). */
    public static ModelSigner fromPrivateKeyFile(Path file) throws IOException {
        PrivateKey key = ModelSigningKeys.readPrivateKey(file);
        return new ModelSigner(key, ModelSigningKeys.derivePublicKey(key));
    }

    public String keyId() {
        return keyId;
    }

    public ModelSignature sign(byte[] signedBytes) {
        try {
            Signature ed25519 = Signature.getInstance(ModelSigningKeys.ALGORITHM);
            ed25519.initSign(key);
            ed25519.update(signedBytes);
            return new ModelSignature(keyId, ed25519.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
