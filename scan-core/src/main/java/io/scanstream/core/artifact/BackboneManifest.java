package io.scanstream.core.artifact;

import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * What a published backbone is, on {@code models.backbones} (key {@code <backboneId>/manifest}), written after all
 * its chunks: a reader assembles the chunks and uses the weights only when their size and sha256 match these.
 *
 * @param backboneId    the id by the backbone-id rule ({@code <architecture>[+ms]:<first 12 hex of sha256>})
 * @param architecture  e.g. {@code mobilenet_v2}
 * @param readout       {@code final} or {@code multi-scale}
 * @param format        how the bytes are to be read: {@code djl-parameters} (a {@code Block.saveParameters} stream)
 * @param sizeBytes     the whole weights' size
 * @param sha256        the whole weights' sha256 (hex)
 * @param chunkBytes    the size of every chunk but the last
 * @param chunks        how many chunks ({@code <backboneId>/00000} ...)
 * @param createdAt     when training produced it
 * @param trainingRunId the fine-tuning run, or null
 * @param fineTunedFrom the backbone it started from, or null
 * @param trainedOn     lineage: the scans it was trained on
 * @param quantization  how the weights are served quantised (the backbone id then names it), or null: as they are
 */
public record BackboneManifest(String backboneId, String architecture, String readout, String format, long sizeBytes,
                               String sha256, int chunkBytes, int chunks, OffsetDateTime createdAt,
                               String trainingRunId, String fineTunedFrom, ScanSet trainedOn,
                               Quantization quantization) {

    public static final String DJL_PARAMETERS = "djl-parameters";

    public BackboneManifest {
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(readout, "readout");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(createdAt, "createdAt");
        if (sizeBytes < 1 || chunkBytes < 1 || chunks < 1
                || chunks != BackboneChunks.count(sizeBytes, chunkBytes)) {
            throw new IllegalArgumentException("a backbone of " + sizeBytes + " bytes in chunks of " + chunkBytes
                    + " has " + BackboneChunks.count(sizeBytes, Math.max(1, chunkBytes)) + " chunks, not " + chunks);
        }
    }

    /** A backbone served as its weights are (no quantisation). */
    public BackboneManifest(String backboneId, String architecture, String readout, String format, long sizeBytes,
                            String sha256, int chunkBytes, int chunks, OffsetDateTime createdAt,
                            String trainingRunId, String fineTunedFrom, ScanSet trainedOn) {
        this(backboneId, architecture, readout, format, sizeBytes, sha256, chunkBytes, chunks, createdAt,
                trainingRunId, fineTunedFrom, trainedOn, null);
    }

    /** How the weights are served quantised, if they are. */
    public Optional<Quantization> servedQuantised() {
        return Optional.ofNullable(quantization);
    }

    /** The record key of the manifest. */
    public static String manifestKey(String backboneId) {
        return backboneId + "/manifest";
    }

    /** The record key of chunk {@code index}. */
    public static String chunkKey(String backboneId, int index) {
        return backboneId + "/" + String.format(java.util.Locale.ROOT, "%05d", index);
    }

    /** The backbone a key on {@code models.backbones} belongs to. */
    public static String backboneOf(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }

    /** How a version refers to it. */
    public BackboneRef reference() {
        return new BackboneRef(backboneId, architecture, readout, sha256, sizeBytes, BackboneRef.Source.PUBLISHED);
    }
}
