package io.scanstream.core.artifact;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Everything about a head version but its weights.
 *
 * @param modelName     the model's name (the record key on {@code models.published})
 * @param version       the version, unique per model name
 * @param createdAt     when training produced it
 * @param backboneId    the backbone the head was trained on; inference refuses a head whose backbone differs
 * @param head          the head's architecture
 * @param metrics       training and validation metrics
 * @param weightsSha256 sha256 (hex) of the weights bytes
 * @param trainingRunId the training run that produced it, or null
 * @param reportUri     where the run's report is served, or null
 * @param trainedOn     lineage: the scans the head was trained on (never validated or gated on them), or null for
 *                      a version that does not say (older versions)
 * @param cardUri       where the version's model card is served, or null
 */
public record ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                            HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                            String reportUri, ScanSet trainedOn, String cardUri) {

    /** A version without lineage or model card. */
    public ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                         HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                         String reportUri) {
        this(modelName, version, createdAt, backboneId, head, metrics, weightsSha256, trainingRunId, reportUri, null,
                null);
    }

    public ModelMetadata {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(weightsSha256, "weightsSha256");
    }
}
