package io.scanstream.training.domain;

/** The versions of a model as {@code models.published} holds them now (read to the topic's end). */
@FunctionalInterface
public interface VersionHistory {

    /** @throws IllegalStateException when the topic cannot be read to its end in time */
    ModelHistory history(String modelName);
}
