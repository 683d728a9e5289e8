package io.scanstream.evaluation.experiments;

import io.scanstream.evaluation.DevelopmentSet;
import io.scanstream.evaluation.Embeddings;
import io.scanstream.evaluation.EvaluationReport;
import io.scanstream.evaluation.Results;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.TrainedNetwork;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.metrics.BinaryEvaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full-network training (fine-tuned from ImageNet, or from scratch), evaluated twice on the validation split: the
 * jointly trained network as it is, then as a deployment would use it, its backbone frozen with the service's head
 * trained on its embeddings for each seed.
 */
public final class FullNetworkExperiment {

    private final FullNetworkSettings settings;
    private final List<Long> headSeeds;
    private final Results results;

    public FullNetworkExperiment(FullNetworkSettings settings, List<Long> headSeeds, Results results) {
        this.settings = settings;
        this.headSeeds = headSeeds;
        this.results = results;
    }

    public void run(String name, String description, DevelopmentSet data) throws IOException {
        results.line("evaluation.full-network.start config=%s epochs=%d imageSize=%d batch=%d init=%s", name,
                settings.epochs(), settings.imageSize(), settings.batchSize(), settings.initialisation());
        TrainedNetwork network = new FullNetworkTrainer().train(data.train(), data.validation(), settings,
                (m, epochs) -> results.line("evaluation.epoch config=%s epoch=%d/%d trainLoss=%.4f trainAccuracy=%.4f"
                                + " validationLoss=%.4f validationAccuracy=%.4f learningRate=%.3g", name, m.epoch(),
                        epochs, m.trainLoss(), m.trainAccuracy(), m.validationLoss(), m.validationAccuracy(),
                        m.learningRate()));
        Path backboneFile = results.folder(name).resolve("backbone-" + settings.architecture().id() + ".params");
        Files.write(backboneFile, network.backboneParameters());
        String backboneId = FeatureExtractors.backboneId(settings.architecture(), FeatureReadout.FINAL,
                network.backboneParameters());
        reportJoint(name, description, data, network, backboneId, backboneFile);

        // As deployed: the new backbone frozen, embeddings cached, the service's head trained on them.
        try (FeatureExtractor backbone = FeatureExtractors.load(BackboneSpec.of(settings.architecture(),
                backboneFile), 0)) {
            new HeadOnEmbeddings(settings.head(), headSeeds, results).run(name, description, backbone.backboneId(),
                    data.train(), data.validation(),
                    Embeddings.of(backbone, Embeddings.resized(data.train(), settings.imageSize())),
                    Embeddings.of(backbone, Embeddings.resized(data.validation(), settings.imageSize())));
        }
    }

    private void reportJoint(String name, String description, DevelopmentSet data, TrainedNetwork network,
                             String backboneId, Path backboneFile) throws IOException {
        boolean[] covid = Embeddings.labels(data.validation());
        BinaryEvaluation joint = ThresholdRule.YOUDEN.evaluate(network.validationScores(), covid);
        double atHalf = Embeddings.accuracyAtHalf(network.validationScores(), covid);
        double trainingSeconds = network.trainingMillis() / 1000.0;
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("initialisation", settings.initialisation());
        described.put("epochs", settings.epochs());
        described.put("epochsDone", network.epochs().size());
        described.put("imageSize", settings.imageSize());
        described.put("batchSize", settings.batchSize());
        described.put("learningRate", settings.learningRate());
        described.put("augmentation", settings.augmentation());
        described.put("batchNormStatistics", settings.trainsBatchNormStatistics() ? "trained" : "frozen");
        results.report(new EvaluationReport(name + "-joint", description + " (the jointly trained network)",
                backboneId, data.train().size(), data.validation().size(), described, network.epochs(),
                EvaluationFigures.of(joint, ThresholdRule.YOUDEN.description()), atHalf, List.of(),
                Map.of("training", trainingSeconds, "perEpoch", trainingSeconds / network.epochs().size()),
                Map.of("backboneFile", backboneFile.toString(), "stoppedByTimeBudget", network.stoppedByBudget())),
                network.epochs(), joint);
        results.line("evaluation.result config=%s-joint valAuc=%.3f valAccuracy=%.3f valF1=%.3f sensitivity=%.3f"
                        + " specificity=%.3f threshold=%.3f accuracyAt0.5=%.3f trainingSeconds=%.0f", name, joint.auc(),
                joint.accuracy(), joint.f1(), joint.sensitivity(), joint.specificity(), joint.threshold(), atHalf,
                trainingSeconds);
        results.put(name + "-joint", Map.of("auc", joint.auc(), "accuracy", joint.accuracy(), "f1", joint.f1(),
                "sensitivity", joint.sensitivity(), "specificity", joint.specificity(), "threshold", joint.threshold(),
                "accuracyAtHalf", atHalf, "trainingSeconds", trainingSeconds));
    }
}
