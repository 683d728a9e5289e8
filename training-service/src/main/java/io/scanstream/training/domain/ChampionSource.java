package io.scanstream.training.domain;

import io.scanstream.core.artifact.ModelArtifact;

import java.util.Optional;

/** The head in service, as models.published holds it (the latest record under the model name). */
@FunctionalInterface
public interface ChampionSource {

    Optional<ModelArtifact> current(String modelName);
}
