package io.scanstream.core.artifact;

import io.scanstream.core.contract.Json;
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
    /** Refuse archives that would inflate beyond this (a ZIP bomb on the model topic). */
    static final int MAX_ENTRY_BYTES = 256 * 1024 * 1024;

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
     * @throws IOException when the bytes are not an artifact (not a ZIP, an entry missing, metadata unreadable)
     */
    public static ModelArtifact fromBytes(byte[] bytes) throws IOException {
        ModelMetadata metadata = null;
        byte[] weights = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                switch (entry.getName()) {
                    case METADATA_ENTRY -> metadata = Json.read(readBounded(zip), ModelMetadata.class);
                    case WEIGHTS_ENTRY -> weights = readBounded(zip);
                    default -> { } // later versions may add entries
                }
            }
        }
        if (metadata == null || weights == null) {
            throw new IOException("not a model artifact: needs " + METADATA_ENTRY + " and " + WEIGHTS_ENTRY);
        }
        return new ModelArtifact(metadata, weights);
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out.size() + n > MAX_ENTRY_BYTES) {
                throw new IOException("artifact entry larger than " + MAX_ENTRY_BYTES + " bytes");
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
