package io.scanstream.core.signing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The public keys inference trusts for model versions, by key id. Several at once: after a rotation the old key
 * stays trusted so that a version signed before it (a rollback) still verifies. {@link #verify} runs over the
 * record's value bytes before anything parses them.
 */
public final class TrustedModelKeys {

    /** What a signature check found. */
    public enum Outcome { VERIFIED, UNSIGNED, UNKNOWN_KEY, BAD_SIGNATURE }

    public record Verification(Outcome outcome, String keyId, String detail) {
        public boolean verified() {
            return outcome == Outcome.VERIFIED;
        }
    }

    private final Map<String, PublicKey> keys;

    public TrustedModelKeys(Collection<PublicKey> keys) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        for (PublicKey key : keys) {
            byId.put(ModelSigningKeys.keyId(key), key);
        }
        this.keys = Map.copyOf(byId);
    }

    public static TrustedModelKeys none() {
        return new TrustedModelKeys(List.of());
    }

    /**
     * The keys in these locations: a PEM public key file, or a directory whose {@code *.pem} files are each one (a
     * mounted ConfigMap or Secret).
     *
     * @throws IOException when a location is missing or a file is not an Ed25519 public key
     */
    public static TrustedModelKeys load(List<Path> locations) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path location : locations) {
            if (Files.isDirectory(location)) {
                List<Path> files;
                try (Stream<Path> listed = Files.list(location)) {
                    // Kubernetes mounts show ..data links and dot-directories: regular *.pem files only
                    files = listed.filter(p -> p.getFileName().toString().endsWith(".pem")
                            && !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)).sorted().toList();
                }
                for (Path file : files) {
                    keys.add(ModelSigningKeys.readPublicKey(file));
                }
            } else if (Files.isRegularFile(location)) {
                keys.add(ModelSigningKeys.readPublicKey(location));
            } else {
                throw new IOException("no public key file or directory at " + location);
            }
        }
        return new TrustedModelKeys(keys);
    }

    public Collection<PublicKey> publicKeys() {
        return keys.values();
    }

    public Set<String> keyIds() {
        return keys.keySet();
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /**
     * @param keyId           {@code ce_signaturekeyid}, or null
     * @param signatureBase64 {@code ce_signature}, or null
     * @param signedBytes     the record's value, exactly as it arrived
     */
    public Verification verify(String keyId, String signatureBase64, byte[] signedBytes) {
        boolean noKeyId = keyId == null || keyId.isBlank();
        boolean noSignature = signatureBase64 == null || signatureBase64.isBlank();
        if (noKeyId && noSignature) {
            return new Verification(Outcome.UNSIGNED, null, "the record carries no ce_signature/ce_signaturekeyid");
        }
        if (noKeyId || noSignature) {
            return new Verification(Outcome.BAD_SIGNATURE, keyId, "the record carries "
                    + (noKeyId ? "ce_signature without ce_signaturekeyid" : "ce_signaturekeyid without ce_signature"));
        }
        PublicKey key = keys.get(keyId.trim());
        if (key == null) {
            return new Verification(Outcome.UNKNOWN_KEY, keyId, "signed with key " + keyId
                    + ", which is not among the trusted keys " + keys.keySet());
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureBase64.trim());
        } catch (IllegalArgumentException e) {
            return new Verification(Outcome.BAD_SIGNATURE, keyId, "ce_signature is not base64");
        }
        try {
            Signature ed25519 = Signature.getInstance(ModelSigningKeys.ALGORITHM);
            ed25519.initVerify(key);
            ed25519.update(signedBytes == null ? new byte[0] : signedBytes);
            if (signature.length == 64 && ed25519.verify(signature)) {
                return new Verification(Outcome.VERIFIED, keyId, "signed by key " + keyId);
            }
        } catch (GeneralSecurityException e) {
            return new Verification(Outcome.BAD_SIGNATURE, keyId, "signature does not verify: " + e.getMessage());
        }
        return new Verification(Outcome.BAD_SIGNATURE, keyId, "the signature does not verify with key " + keyId
                + " over the record's bytes");
    }
}
