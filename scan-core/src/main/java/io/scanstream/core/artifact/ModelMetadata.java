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
 * @param backbone      (v2) the backbone the head runs on: a published one, or the bootstrap file; null in v1
 *                      versions, which name it by {@code backboneId} only (the configured bootstrap backbone)
 * @param preprocessing (v2) the input the network expects, or null (v1: {@link PreprocessingSpec#STANDARD})
 */
public record ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                            HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                            String reportUri, ScanSet trainedOn, String cardUri, BackboneRef backbone,
                            PreprocessingSpec preprocessing) {

    /** A v1 version: no lineage, model card or backbone reference. */
    public ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                         HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                         String reportUri) {
        this(modelName, version, createdAt, backboneId, head, metrics, weightsSha256, trainingRunId, reportUri, null,
                null, null, null);
    }

    /** A version with lineage and model card, on the bootstrap backbone named by {@code backboneId}. */
    public ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                         HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                         String reportUri, ScanSet trainedOn, String cardUri) {
        this(modelName, version, createdAt, backboneId, head, metrics, weightsSha256, trainingRunId, reportUri,
                trainedOn, cardUri, null, null);
    }

    /** Whether the version says where its backbone comes from (v2). */
    public boolean carriesBackbone() {
        return backbone != null;
    }

    public ModelMetadata {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(weightsSha256, "weightsSha256");
        if (backbone != null && !backbone.id().equals(backboneId)) {
            throw new IllegalArgumentException("backbone " + backbone.id() + " is not the version's " + backboneId);
        }
    }
}
