package io.scanstream.inference.domain;

import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.model.head.ClassificationHead;

/** A head version in service: the loaded network and what it was published with. Owned by the batch thread. */
public record ServingHead(ClassificationHead head, ModelMetadata metadata) {

    /**
     * The version predictions carry: the version whose weights these are (after a rollback the restored version's
     * id, not the rollback record's; see {@link io.scanstream.core.artifact.ModelMetadata#servedVersion()}).
     */
    public String version() {
        return metadata.servedVersion();
    }

    /** The operating threshold on P(COVID) chosen on validation; 0.5 when the version carries no metrics. */
    public double threshold() {
        return metadata.metrics() == null ? 0.5 : metadata.metrics().threshold();
    }
}
