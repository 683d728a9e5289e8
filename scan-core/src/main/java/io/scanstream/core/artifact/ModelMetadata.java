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
 * @param rollbackOf    a rollback: the older version whose artifact (head, backbone reference, metrics, lineage)
 *                      this record carries unchanged under a version id of its own; null for a trained version
 */
public record ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                            HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                            String reportUri, ScanSet trainedOn, String cardUri, BackboneRef backbone,
                            PreprocessingSpec preprocessing, String rollbackOf) {

    /** A trained (not rolled-back) version with every v2 field. */
    public ModelMetadata(String modelName, String version, OffsetDateTime createdAt, String backboneId,
                         HeadArchitecture head, ModelMetrics metrics, String weightsSha256, String trainingRunId,
                         String reportUri, ScanSet trainedOn, String cardUri, BackboneRef backbone,
                         PreprocessingSpec preprocessing) {
        this(modelName, version, createdAt, backboneId, head, metrics, weightsSha256, trainingRunId, reportUri,
                trainedOn, cardUri, backbone, preprocessing, null);
    }

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

    /**
     * This version's artifact republished as a rollback: a new record under {@code rollbackVersion}, created at
     * {@code at}, that names the version it restores. A rollback of a rollback restores the original version.
     */
    public ModelMetadata asRollback(String rollbackVersion, OffsetDateTime at) {
        return new ModelMetadata(modelName, rollbackVersion, at, backboneId, head, metrics, weightsSha256,
                trainingRunId, reportUri, trainedOn, cardUri, backbone, preprocessing, servedVersion());
    }

    /**
     * The version whose head and backbone this record serves: itself, or for a rollback the version it restores.
     * Predictions carry this id, so one id always means one set of weights.
     */
    public String servedVersion() {
        return rollbackOf == null ? version : rollbackOf;
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
        if (rollbackOf != null && (rollbackOf.isBlank() || rollbackOf.equals(version))) {
            throw new IllegalArgumentException("rollbackOf must name another version than " + version + ", got '"
                    + rollbackOf + "'");
        }
        if (backbone != null && !backbone.id().equals(backboneId)) {
            throw new IllegalArgumentException("backbone " + backbone.id() + " is not the version's " + backboneId);
        }
    }
}
