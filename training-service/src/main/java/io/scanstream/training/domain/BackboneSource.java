package io.scanstream.training.domain;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;

import java.nio.file.Path;

/** The weights of a published backbone, assembled from {@code models.backbones} and verified, as a local file. */
@FunctionalInterface
public interface BackboneSource {

    /** The verified weights and the manifest that describes them (lineage included). */
    record Fetched(Path weights, BackboneManifest manifest) {
    }

    /** @throws IllegalStateException when the backbone is not (fully, correctly) published */
    Fetched fetch(BackboneRef reference);
}
