package io.scanstream.core.signing;

import io.scanstream.core.security.TokenIssuer.Pem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * Ed25519 keys for signing model versions, with nothing but the JDK: PEM files as {@code openssl genpkey -algorithm
 * ed25519} writes them (private: PKCS#8 {@code PRIVATE KEY}; public: X.509 {@code PUBLIC KEY}), the key id (the
 * first 16 hex digits of the sha256 of the public key's X.509 encoding), and a pair made on first use for the local
 * stack and tests ({@link #openOrCreate}).
 */
public final class ModelSigningKeys {

    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_KEY_FILE = "model-signing-key.pem";
    public static final String PUBLIC_KEY_FILE = "model-signing-public-key.pem";

    private ModelSigningKeys() {
    }

    /** A new Ed25519 pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has Ed25519 (JDK 15+)", e);
        }
    }

    /** The key id signatures carry: first 16 hex digits of sha256(X.509 encoding of the public key). */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IOException when the file is not an Ed25519 private key in PKCS#8 PEM */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(
                    Pem.read(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 private key (PKCS#8 PEM, as `openssl genpkey "
                    + "-algorithm ed25519` writes it): " + e.getMessage(), e);
        }
    }

    /** @throws IOException when the file is not an Ed25519 public key in X.509 PEM */
    public static PublicKey readPublicKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(
                    Pem.read(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 public key (X.509 PEM, as `openssl pkey -pubout` "
                    + "writes it): " + e.getMessage(), e);
        }
    }

    /**
     * The public key of an Ed25519 private key (a PKCS#8 file from openssl carries the private key only). Ed25519's
     * key generation takes the 32 private bytes from its random source, so a source that yields exactly those bytes
     * makes the same pair; the result is checked with a signature before it is used.
     */
    public static PublicKey derivePublicKey(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key");
        }
        byte[] seed = ed.getBytes().get();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    if (bytes.length != seed.length) {
                        throw new IllegalStateException("unexpected request for " + bytes.length + " random bytes");
                    }
                    System.arraycopy(seed, 0, bytes, 0, seed.length);
                }
            });
            PublicKey derived = generator.generateKeyPair().getPublic();
            byte[] probe = "scanstream-model-signing-probe".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(derived);
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalStateException("could not derive the public key of the Ed25519 private key");
            }
            return derived;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not derive the public key of the Ed25519 private key", e);
        }
    }

    /** Where {@link #openOrCreate} keeps a pair. */
    public record KeyFiles(Path privateKeyFile, Path publicKeyFile) {
    }

    /**
     * The pair in {@code dir} if it is there, else a new one written there: {@value #PRIVATE_KEY_FILE} (owner-only)
     * and {@value #PUBLIC_KEY_FILE}. For the local stack and tests; production keys are made by the operator
     * (docs/security.md).
     */
    public static synchronized KeyFiles openOrCreate(Path dir) throws IOException {
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        if (Files.isRegularFile(privateFile) && Files.isRegularFile(publicFile)) {
            readPrivateKey(privateFile);
            readPublicKey(publicFile);
            return new KeyFiles(privateFile, publicFile);
        }
        KeyPair pair = generate();
        Files.createDirectories(dir);
        write(privateFile, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
        write(publicFile, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()), false);
        return new KeyFiles(privateFile, publicFile);
    }

    /** Writes a key as PEM (owner-only when private). */
    public static void write(Path file, String pem, boolean ownerOnly) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, pem);
        if (ownerOnly) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions protect it
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** PEM of a public key (what inference trusts). */
    public static String publicPem(PublicKey key) {
        return Pem.encode("PUBLIC KEY", key.getEncoded());
    }

    /** PEM of a private key (what training signs with). */
    public static String privatePem(PrivateKey key) {
        return Pem.encode("PRIVATE KEY", key.getEncoded());
    }
}
