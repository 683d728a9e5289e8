package io.scanstream.learning.evaluate;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.model.head.ClassificationHead;

/**
 * Scores and evaluates heads the way inference uses them: the artifact's weights loaded into a
 * {@link ClassificationHead}, P(COVID) per embedding. The operating threshold on them is a {@link ThresholdRule}'s.
 */
public final class HeadScoring {

    private static final int CHUNK = 1024;

    private HeadScoring() {
    }

    public static double[] score(HeadArchitecture architecture, byte[] weights, float[][] features) {
        try (ClassificationHead head = ClassificationHead.fromWeights(architecture, weights)) {
            return score(head, features);
        }
    }

    public static double[] score(ClassificationHead head, float[][] features) {
        double[] scores = new double[features.length];
        for (int from = 0; from < features.length; from += CHUNK) {
            int size = Math.min(CHUNK, features.length - from);
            float[][] chunk = new float[size][];
            System.arraycopy(features, from, chunk, 0, size);
            System.arraycopy(head.probabilities(chunk), 0, scores, from, size);
        }
        return scores;
    }
}
