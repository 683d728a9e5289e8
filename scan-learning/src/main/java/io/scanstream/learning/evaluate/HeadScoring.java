package io.scanstream.learning.evaluate;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.OperatingThreshold;

/**
 * Scores and evaluates heads the way inference uses them: the artifact's weights loaded into a
 * {@link ClassificationHead}, P(COVID) per embedding. The operating threshold is chosen on the validation split by
 * {@link OperatingThreshold#maximisingYoudenJ} (sensitivity + specificity − 1, ties towards 0.5): a missed COVID
 * case and a false alarm weigh the same whatever the class balance.
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

    /** Figures at the threshold maximising Youden's J on these scores (0.5 when a class is missing). */
    public static BinaryEvaluation atYoudenThreshold(double[] scores, boolean[] covid) {
        return BinaryEvaluation.at(scores, covid, youdenThreshold(scores, covid));
    }

    public static double youdenThreshold(double[] scores, boolean[] covid) {
        int positives = 0;
        for (boolean c : covid) {
            positives += c ? 1 : 0;
        }
        if (positives == 0 || positives == covid.length) {
            return 0.5;
        }
        return OperatingThreshold.maximisingYoudenJ(scores, covid).threshold();
    }
}
