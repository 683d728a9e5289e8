package io.scanstream.core.security;

import com.fasterxml.jackson.databind.ObjectMapper;

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
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Issues the bearer tokens ScanStream's services verify (MP-JWT: RS256, {@code iss}, {@code sub}, {@code upn},
 * {@code groups} = roles, {@code exp}) with a key pair of its own, with nothing but the JDK: what the local stack's
 * sign-in and the tests use in place of the hospital's identity provider. The services take the public key
 * ({@code mp.jwt.verify.publickey.location}) and the issuer ({@code mp.jwt.verify.issuer}); in production both
 * name the hospital's provider instead (docs/security.md).
 *
 * <p>{@link #openOrCreate} keeps the pair in a directory: {@value #PRIVATE_KEY_FILE} (PKCS#8 PEM, owner-only) and
 * {@value #PUBLIC_KEY_FILE} (X.509 PEM, what the services read).
 */
public final class TokenIssuer {

    public static final String PRIVATE_KEY_FILE = "token-signing-key.pem";
    public static final String PUBLIC_KEY_FILE = "token-public-key.pem";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final String issuer;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Path publicKeyFile;

    private TokenIssuer(String issuer, KeyPair keys, Path publicKeyFile) {
        this.issuer = issuer;
        this.privateKey = keys.getPrivate();
        this.publicKey = keys.getPublic();
        this.publicKeyFile = publicKeyFile;
    }

    /** The pair in {@code dir} if it is there, else a new 2048-bit RSA pair written there. */
    public static synchronized TokenIssuer openOrCreate(Path dir, String issuer) throws IOException {
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            if (Files.isRegularFile(privateFile) && Files.isRegularFile(publicFile)) {
                PrivateKey priv = rsa.generatePrivate(new PKCS8EncodedKeySpec(Pem.read(privateFile, "PRIVATE KEY")));
                PublicKey pub = rsa.generatePublic(new X509EncodedKeySpec(Pem.read(publicFile, "PUBLIC KEY")));
                return new TokenIssuer(issuer, new KeyPair(pub, priv), publicFile);
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(dir);
            writeAtomically(privateFile, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
            writeAtomically(publicFile, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()), false);
            return new TokenIssuer(issuer, pair, publicFile);
        } catch (GeneralSecurityException e) {
            throw new IOException("could not read or make the token key pair in " + dir, e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** The public key file the services verify tokens with. */
    public Path publicKeyFile() {
        return publicKeyFile;
    }

    public RSAPublicKey publicKey() {
        return (RSAPublicKey) publicKey;
    }

    /** A token for {@code subject} with {@code roles}, valid for {@code lifetime}. */
    public String issue(String subject, List<String> roles, Duration lifetime) {
        return issue(subject, roles, lifetime, Map.of());
    }

    public String issue(String subject, List<String> roles, Duration lifetime, Map<String, Object> extraClaims) {
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("upn", subject);
        claims.put("groups", roles);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        claims.putAll(extraClaims);
        return sign(claims);
    }

    /** Signs arbitrary claims (tests use it for expired or foreign tokens). */
    public String sign(Map<String, Object> claims) {
        try {
            String header = B64URL.encodeToString(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT")));
            String payload = B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(privateKey);
            rs256.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + B64URL.encodeToString(rs256.sign());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("RS256 and JSON of plain values are always available", e);
        }
    }

    private static void writeAtomically(Path file, String content, boolean ownerOnly) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content);
        if (ownerOnly) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions protect it
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** PEM framing of DER bytes. */
    public static final class Pem {
        private Pem() {
        }

        public static String encode(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(der) + "\n-----END " + type + "-----\n";
        }

        public static byte[] read(Path file, String type) throws IOException {
            String pem = Files.readString(file);
            int begin = pem.indexOf("-----BEGIN " + type + "-----");
            int end = pem.indexOf("-----END " + type + "-----");
            if (begin < 0 || end < begin) {
                throw new IOException(file + " holds no PEM " + type);
            }
            String body = pem.substring(begin + ("-----BEGIN " + type + "-----").length(), end);
            return Base64.getMimeDecoder().decode(body);
        }
    }
}
