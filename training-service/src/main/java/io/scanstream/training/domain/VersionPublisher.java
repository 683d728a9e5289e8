package io.scanstream.training.domain;

import io.scanstream.core.artifact.ModelArtifact;

/** Publishes a version for inference to serve; at most once per run. */
@FunctionalInterface
public interface VersionPublisher {

    void publish(String runId, ModelArtifact artifact);
}
