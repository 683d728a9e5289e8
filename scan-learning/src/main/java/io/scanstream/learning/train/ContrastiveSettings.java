package io.scanstream.learning.train;

import io.scanstream.model.backbone.BackboneArchitecture;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How contrastive (SimCLR) pretraining of a backbone runs on unlabelled scans.
 *
 * @param architecture    the backbone
 * @param initialWeights  weights to continue from (e.g. the ImageNet MobileNetV2; batch-norm statistics then stay
 *                        fixed, as in fine-tuning); empty = a seeded random initialisation that learns its statistics
 * @param epochs          passes over the images
 * @param pairsPerBatch   images per optimiser step; each gives two views, so a step sees twice as many. SimCLR wants
 *                        hundreds or thousands (more negatives); a CPU affords tens
 * @param imageSize       side the views are made at (smaller is cheaper: the cost is the backbone's forward and
 *                        backward on two views per image)
 * @param temperature     of the NT-Xent softmax
 * @param projectionDim   width of the projection head's output; the head is dropped afterwards, the backbone kept
 * @param views           how far the two views of an image range ({@link ImageAugmentation.Strength#CONTRASTIVE})
 * @param learningRate    Smith's cyclical schedule, with Adam
 * @param seed            initialisation, shuffling and the views
 */
public record ContrastiveSettings(BackboneArchitecture architecture, Optional<Path> initialWeights, int epochs,
                                  int pairsPerBatch, int imageSize, float temperature, int projectionDim,
                                  ImageAugmentation.Strength views, LearningRateSchedule learningRate, long seed) {

    public ContrastiveSettings {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(initialWeights, "initialWeights");
        Objects.requireNonNull(views, "views");
        Objects.requireNonNull(learningRate, "learningRate");
        if (epochs < 1 || pairsPerBatch < 2 || imageSize < 32 || projectionDim < 1) {
            throw new IllegalArgumentException("epochs >= 1, pairs per batch >= 2 (the others are the negatives),"
                    + " image size >= 32, projection width >= 1");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
    }
}
