package io.scanstream.core.artifact;

import io.scanstream.core.contract.Json;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.integrity.Sha256;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A head version as one self-describing file: a ZIP holding {@code metadata.json} and {@code weights.bin} (the
 * weights in the model library's own parameter format; opaque here). The same bytes are written to disk and
 * carried by the {@code models.published} event, and the metadata's sha256 covers the weights.
 */
public record ModelArtifact(ModelMetadata metadata, byte[] weights) {

    public static final String MEDIA_TYPE = "application/zip";
    static final String METADATA_ENTRY = "metadata.json";
    static final String WEIGHTS_ENTRY = "weights.bin";
    /**
     * Refuse weights that inflate beyond what the topic may carry (a ZIP bomb on the model topic): a version's
     * weights travel in one record of at most {@link Topics#MODEL_MAX_MESSAGE_BYTES}.
     */
    static final int MAX_WEIGHTS_BYTES = Topics.MODEL_MAX_MESSAGE_BYTES;
    /** The metadata is a few KiB (the lineage's hashes of a large training set make it larger). */
    static final int MAX_METADATA_BYTES = 4 * 1024 * 1024;
    /** All entries together, unknown ones included. */
    static final int MAX_TOTAL_BYTES = MAX_WEIGHTS_BYTES + MAX_METADATA_BYTES;

    public ModelArtifact {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(weights, "weights");
    }

    /** Whether the weights hash to the sha256 the metadata declares. */
    public boolean integrityVerified() {
        return Sha256.hex(weights).equalsIgnoreCase(metadata.weightsSha256());
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(weights.length + 4096);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(METADATA_ENTRY));
            zip.write(Json.write(metadata));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(WEIGHTS_ENTRY));
            zip.write(weights);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads entries with bounds that do not trust the archive's declared sizes: the weights at most
     * {@link #MAX_WEIGHTS_BYTES} inflated, the metadata at most {@link #MAX_METADATA_BYTES}, everything together at
     * most {@link #MAX_TOTAL_BYTES}; each entry once.
     *
     * @throws IOException when the bytes are not an artifact (not a ZIP, an entry missing or repeated, an entry
     *                     beyond its bound, metadata unreadable)
     */
    public static ModelArtifact fromBytes(byte[] bytes) throws IOException {
        ModelMetadata metadata = null;
        byte[] weights = null;
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                switch (entry.getName()) {
                    case METADATA_ENTRY -> {
                        if (metadata != null) {
                            throw new IOException("artifact holds " + METADATA_ENTRY + " twice");
                        }
                        byte[] json = readBounded(zip, METADATA_ENTRY, MAX_METADATA_BYTES);
                        total += json.length;
                        metadata = Json.read(json, ModelMetadata.class);
                    }
                    case WEIGHTS_ENTRY -> {
                        if (weights != null) {
                            throw new IOException("artifact holds " + WEIGHTS_ENTRY + " twice");
                        }
                        weights = readBounded(zip, WEIGHTS_ENTRY, MAX_WEIGHTS_BYTES);
                        total += weights.length;
                    }
                    default -> total += readBounded(zip, entry.getName(), MAX_TOTAL_BYTES).length; // later versions may add entries
                }
                if (total > MAX_TOTAL_BYTES) {
                    throw new IOException("artifact inflates beyond " + MAX_TOTAL_BYTES + " bytes");
                }
            }
        }
        if (metadata == null || weights == null) {
            throw new IOException("not a model artifact: needs " + METADATA_ENTRY + " and " + WEIGHTS_ENTRY);
        }
        return new ModelArtifact(metadata, weights);
    }

    private static byte[] readBounded(InputStream in, String name, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if ((long) out.size() + n > limit) {
                throw new IOException("artifact entry " + name + " larger than " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelArtifact other && metadata.equals(other.metadata) && Arrays.equals(weights, other.weights);
    }

    @Override
    public int hashCode() {
        return metadata.hashCode() * 31 + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return "ModelArtifact[" + metadata.modelName() + " " + metadata.version() + ", " + weights.length + " bytes]";
    }
}
