package io.scanstream.inference.domain;

import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.model.backbone.DifferentiableBackbone;

import java.io.IOException;

/**
 * Loads the backbone a version names as a PyTorch block that autograd can run through, with the weights that
 * serve it (the configured bootstrap file, or a published backbone from the {@link BackboneLibrary}).
 */
public interface ExplanationBackbones {

    /**
     * @throws IllegalStateException when the version's backbone is not (or no longer) available here
     * @throws IllegalArgumentException when its weights cannot be put into the architecture's block
     */
    DifferentiableBackbone load(ModelMetadata version) throws IOException;
}
