package io.scanstream.evaluation.experiments;

import io.scanstream.evaluation.Embeddings;
import io.scanstream.evaluation.EvaluationReport;
import io.scanstream.evaluation.Results;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.TrainedHead;
import io.scanstream.model.metrics.BinaryEvaluation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.scanstream.evaluation.Statistics.mean;
import static io.scanstream.evaluation.Statistics.sd;
import static io.scanstream.evaluation.Statistics.seconds;

/**
 * The service's head training on cached embeddings, once per seed, scored on the validation split at the threshold
 * chosen there (Youden's J), as the service scores its versions; the report holds the first seed's run.
 */
final class HeadOnEmbeddings {

    /** What the last configuration cost per head run (for the retraining-time comparison). */
    record Outcome(double secondsPerRun) {
    }

    private record SeedRun(TrainedHead head, BinaryEvaluation evaluation, double accuracyAtHalf) {
    }

    private final HeadTrainingSettings settings;
    private final List<Long> seeds;
    private final Results results;

    HeadOnEmbeddings(HeadTrainingSettings settings, List<Long> seeds, Results results) {
        this.settings = settings;
        this.seeds = seeds;
        this.results = results;
    }

    Outcome run(String name, String description, String backboneId, List<LabelledImage> train,
                List<LabelledImage> validation, float[][] trainX, float[][] validationX) throws IOException {
        LabelledVectors trainVectors = Embeddings.vectors(trainX, train);
        LabelledVectors validationVectors = Embeddings.vectors(validationX, validation);
        List<Map<String, Object>> perSeed = new ArrayList<>();
        SeedRun first = null;
        double seconds = 0;
        for (long seed : seeds) {
            long t = System.nanoTime();
            TrainedHead head = new HeadTrainer().train(trainVectors, validationVectors, settings.withSeed(seed),
                    EpochObserver.NONE);
            seconds += seconds(t);
            double[] scores = HeadScoring.score(head.architecture(), head.weights(), validationX);
            SeedRun run = new SeedRun(head, ThresholdRule.YOUDEN.evaluate(scores, validationVectors.covid()),
                    Embeddings.accuracyAtHalf(scores, validationVectors.covid()));
            perSeed.add(Map.of("seed", seed, "auc", run.evaluation().auc(), "accuracy", run.evaluation().accuracy(),
                    "f1", run.evaluation().f1(), "accuracyAtHalf", run.accuracyAtHalf(), "threshold",
                    run.evaluation().threshold()));
            first = first == null ? run : first;
        }
        double perRun = seconds / seeds.size();
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("headTrainingPerRun", perRun);
        results.report(new EvaluationReport(name, description, backboneId, train.size(), validation.size(),
                Map.of("head", settings, "seeds", seeds), first.head().epochs(),
                EvaluationFigures.of(first.evaluation(), ThresholdRule.YOUDEN.description()), first.accuracyAtHalf(),
                perSeed, timings, Map.of()), first.head().epochs(), first.evaluation());
        summarise(name, backboneId, perSeed, first, perRun);
        return new Outcome(perRun);
    }

    private void summarise(String name, String backboneId, List<Map<String, Object>> perSeed, SeedRun first,
                           double perRun) {
        double[] auc = perSeed.stream().mapToDouble(m -> (double) m.get("auc")).toArray();
        double[] accuracy = perSeed.stream().mapToDouble(m -> (double) m.get("accuracy")).toArray();
        double[] f1 = perSeed.stream().mapToDouble(m -> (double) m.get("f1")).toArray();
        BinaryEvaluation e = first.evaluation();
        results.line("evaluation.result config=%s backbone=%s seeds=%d valAuc=%.3f±%.3f valAccuracy=%.3f±%.3f"
                        + " valF1=%.3f±%.3f (first seed: auc=%.3f accuracy=%.3f f1=%.3f sensitivity=%.3f specificity=%.3f"
                        + " threshold=%.3f accuracyAt0.5=%.3f) headSecondsPerRun=%.2f", name, backboneId,
                perSeed.size(), mean(auc), sd(auc), mean(accuracy), sd(accuracy), mean(f1), sd(f1), e.auc(),
                e.accuracy(), e.f1(), e.sensitivity(), e.specificity(), e.threshold(), first.accuracyAtHalf(), perRun);
        results.put(name, Map.of("backboneId", backboneId, "aucMean", mean(auc), "aucSd", sd(auc),
                "accuracyMean", mean(accuracy), "accuracySd", sd(accuracy), "f1Mean", mean(f1), "f1Sd", sd(f1),
                "perSeed", perSeed, "headSecondsPerRun", perRun));
    }
}
