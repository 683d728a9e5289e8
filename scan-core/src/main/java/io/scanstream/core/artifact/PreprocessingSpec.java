package io.scanstream.core.artifact;

/**
 * The input a network expects, so that a version says how scans must be prepared for it: 8-bit grey scans
 * ({@code scans.preprocessed}) resized to {@code inputSize}, replicated to three channels and normalised with
 * ImageNet's per-channel mean and standard deviation.
 */
public record PreprocessingSpec(int inputSize, String channels, String normalisation) {

    public static final PreprocessingSpec STANDARD = new PreprocessingSpec(224, "grey-to-rgb", "imagenet");
}
