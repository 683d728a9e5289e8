package io.scanstream.core.artifact;

/** Loss and accuracy of one training epoch, on the training and the validation split. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, Double validationLoss,
                           Double validationAccuracy, double learningRate) {
}
