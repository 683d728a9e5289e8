package io.scanstream.training.config;

import io.scanstream.model.backbone.BackboneArchitecture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The backbone id the service expects, computed from configuration alone (before any model loads), by the rule
 * of {@code FeatureExtractors}: {@code <architecture>:<first 12 hex of the weights file's sha256>}, or
 * {@code <architecture>:random}. The Kafka Streams application id is derived from it, so that a change of
 * backbone starts a fresh training set instead of mixing embeddings of two backbones; start-up checks that the
 * loaded backbone reports the same id.
 */
public final class BackboneIdentity {

    private static final int ID_HASH_CHARS = 12;

    private BackboneIdentity() {
    }

    public static String of(BackboneArchitecture architecture, Optional<Path> weights) throws IOException {
        if (weights.isEmpty()) {
            return architecture.id() + ":random";
        }
        return architecture.id() + ":" + sha256Hex(weights.get()).substring(0, ID_HASH_CHARS);
    }

    /** {@code <prefix>-<backbone id>} with the characters Kafka refuses in an application id replaced. */
    public static String streamsApplicationId(String prefix, String backboneId) {
        return prefix + "-" + backboneId.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    static String sha256Hex(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
