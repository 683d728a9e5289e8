package io.scanstream.training.domain;

import io.scanstream.core.artifact.BackboneManifest;

/** Publishes a fine-tuned backbone: its chunks, then its manifest; a version may refer to it afterwards. */
@FunctionalInterface
public interface BackbonePublisher {

    void publish(BackboneManifest manifest, byte[] weights);
}
