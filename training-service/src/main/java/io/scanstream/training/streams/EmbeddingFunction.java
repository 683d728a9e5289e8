package io.scanstream.training.streams;

import io.scanstream.core.imaging.GreyImage;

/** The configured backbone as the topology uses it: one preprocessed scan in, its feature vector out. */
@FunctionalInterface
public interface EmbeddingFunction {

    float[] embed(GreyImage image);
}
