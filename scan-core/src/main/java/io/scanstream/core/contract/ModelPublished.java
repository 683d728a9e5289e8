package io.scanstream.core.contract;

import io.scanstream.core.artifact.ModelArtifact;

import java.util.Objects;

/** {@code models.published}: a head version, keyed by model name, carrying its whole artifact. */
public record ModelPublished(ModelArtifact artifact) {

    public ModelPublished {
        Objects.requireNonNull(artifact, "artifact");
    }

    public String modelName() {
        return artifact.metadata().modelName();
    }

    public String version() {
        return artifact.metadata().version();
    }
}
