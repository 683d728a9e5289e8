package io.scanstream.training.domain;

import io.scanstream.core.imaging.GreyImage;

/** One preprocessed scan in, its feature vector out: what the training set needs of the backbone. */
@FunctionalInterface
public interface Embedder {

    float[] embed(GreyImage image);
}
