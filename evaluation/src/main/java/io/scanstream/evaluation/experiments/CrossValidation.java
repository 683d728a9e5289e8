package io.scanstream.evaluation.experiments;

import io.scanstream.evaluation.Embeddings;
import io.scanstream.evaluation.Results;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.TrainedHead;
import io.scanstream.learning.validation.SourceGroupedFolds;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.metrics.RocCurve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.scanstream.evaluation.Statistics.mean;
import static io.scanstream.evaluation.Statistics.sd;

/**
 * Model selection without the validation split: for each readout of the frozen ImageNet backbone, the service's
 * head trained on four folds and scored on the fifth, folds keeping sources apart ({@link SourceGroupedFolds});
 * the AUC of the pooled out-of-fold scores per head seed, and its mean.
 */
public final class CrossValidation {

    private static final int FOLDS = 5;
    private static final long FOLD_SEED = 42;

    private final Path weights;
    private final HeadTrainingSettings head;
    private final List<Long> seeds;
    private final Results results;

    public CrossValidation(Path weights, HeadTrainingSettings head, List<Long> seeds, Results results) {
        this.weights = weights;
        this.head = head;
        this.seeds = seeds;
        this.results = results;
    }

    public void run(List<LabelledImage> train) throws IOException {
        int[] fold = SourceGroupedFolds.assign(train, FOLDS, FOLD_SEED);
        boolean[] covid = Embeddings.labels(train);
        Map<String, Object> cv = new LinkedHashMap<>();
        cv.put("folds", FOLDS);
        cv.put("sources", SourceGroupedFolds.groups(train));
        for (FeatureReadout readout : FeatureReadout.values()) {
            float[][] x;
            try (FeatureExtractor backbone = FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                    weights).withReadout(readout), 0)) {
                x = Embeddings.of(backbone, train);
            }
            double[] pooledAuc = new double[seeds.size()];
            for (int s = 0; s < pooledAuc.length; s++) {
                pooledAuc[s] = RocCurve.of(outOfFoldScores(x, covid, fold, head.withSeed(seeds.get(s))), covid).auc();
            }
            results.line("evaluation.cv readout=%s folds=%d sources=%d seeds=%d outOfFoldAuc=%.3f±%.3f perSeed=%s",
                    readout.id(), FOLDS, SourceGroupedFolds.groups(train), pooledAuc.length, mean(pooledAuc),
                    sd(pooledAuc), Arrays.toString(Arrays.stream(pooledAuc).map(v -> Math.round(v * 1000) / 1000.0)
                            .toArray()));
            cv.put(readout.id(), Map.of("aucMean", mean(pooledAuc), "aucSd", sd(pooledAuc),
                    "perSeed", Arrays.stream(pooledAuc).boxed().toList()));
        }
        results.put("crossValidation", cv);
    }

    /** Each row scored by the head trained on the other folds. */
    static double[] outOfFoldScores(float[][] x, boolean[] covid, int[] fold, HeadTrainingSettings settings) {
        double[] scores = new double[x.length];
        for (int f = 0; f < FOLDS; f++) {
            List<float[]> fitX = new ArrayList<>();
            List<Boolean> fitY = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (fold[i] == f) {
                    held.add(i);
                } else {
                    fitX.add(x[i]);
                    fitY.add(covid[i]);
                }
            }
            boolean[] fitCovid = new boolean[fitY.size()];
            for (int i = 0; i < fitCovid.length; i++) {
                fitCovid[i] = fitY.get(i);
            }
            TrainedHead trained = new HeadTrainer().train(new LabelledVectors(fitX.toArray(float[][]::new), fitCovid),
                    new LabelledVectors(new float[0][], new boolean[0]), settings, EpochObserver.NONE);
            double[] heldScores = HeadScoring.score(trained.architecture(), trained.weights(),
                    held.stream().map(i -> x[i]).toArray(float[][]::new));
            for (int j = 0; j < held.size(); j++) {
                scores[held.get(j)] = heldScores[j];
            }
        }
        return scores;
    }
}
