package io.scanstream.core.contract;

import io.scanstream.core.artifact.ModelArtifact;

import java.util.Objects;

/**
 * {@code models.published}: a model version (trained, or a rollback to an older one), carrying its whole artifact,
 * keyed by {@link #key(String, String) model name and version} so that compaction keeps every version.
 */
public record ModelPublished(ModelArtifact artifact) {

    /** The record key: {@code <model name>/<version>}, one per version (versions are unique per model name). */
    public static String key(String modelName, String version) {
        return modelName + "/" + version;
    }

    public ModelPublished {
        Objects.requireNonNull(artifact, "artifact");
    }

    public String modelName() {
        return artifact.metadata().modelName();
    }

    public String version() {
        return artifact.metadata().version();
    }

    /** The version this record restores, when it is a rollback. */
    public String rollbackOf() {
        return artifact.metadata().rollbackOf();
    }
}
