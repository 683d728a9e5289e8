package io.scanstream.testing.security;

import io.scanstream.core.signing.ModelSigner;
import io.scanstream.core.signing.ModelSigningKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model-signing key pair of the test JVM (Ed25519, kept in a directory named after the JVM's pid, as
 * {@link TestTokens} does): {@link #config()} gives training the private key and inference the public key, so
 * the services' tests run with signing on, as production does; tests that publish versions themselves sign them
 * with {@link #signer()}.
 */
public final class TestModelSigning {

    private TestModelSigning() {
    }

    public static ModelSigningKeys.KeyFiles keys() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "scanstream-test-model-signing-" + ProcessHandle.current().pid());
        try {
            return ModelSigningKeys.openOrCreate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Training signs with the test key; inference trusts it (and requires signatures, the default). */
    public static Map<String, String> config() {
        ModelSigningKeys.KeyFiles keys = keys();
        return Map.of("training.signing.private-key-file", keys.privateKeyFile().toString(),
                "inference.signing.trusted-keys", keys.publicKeyFile().toString());
    }

    /** Signs as training does in these tests. */
    public static ModelSigner signer() {
        try {
            return ModelSigner.fromPrivateKeyFile(keys().privateKeyFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
