package io.scanstream.evaluation.experiments;

import io.scanstream.evaluation.DevelopmentSet;
import io.scanstream.evaluation.Embeddings;
import io.scanstream.evaluation.Results;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.scanstream.evaluation.Statistics.seconds;

/**
 * The service's HEAD mode on the ImageNet backbone: frozen, read out as configured ({@code frozen}: the final
 * pooled features; {@code frozen-multiscale}: every stage from 1/8 resolution on), the head trained on cached
 * embeddings for each seed. For the final readout also what training would cost without the cache (the backbone
 * re-run every epoch).
 */
public final class FrozenBackbone {

    private final Path weights;
    private final HeadTrainingSettings head;
    private final List<Long> seeds;
    private final int rerunEpochs;
    private final Results results;

    public FrozenBackbone(Path weights, HeadTrainingSettings head, List<Long> seeds, int rerunEpochs,
                          Results results) {
        this.weights = weights;
        this.head = head;
        this.seeds = seeds;
        this.rerunEpochs = rerunEpochs;
        this.results = results;
    }

    public void run(DevelopmentSet data, FeatureReadout readout) throws IOException {
        BackboneSpec spec = BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, weights).withReadout(readout);
        try (FeatureExtractor backbone = FeatureExtractors.load(spec, 0)) {
            long t = System.nanoTime();
            float[][] trainX = Embeddings.of(backbone, data.train());
            double embedTrainSeconds = seconds(t);
            t = System.nanoTime();
            float[][] validationX = Embeddings.of(backbone, data.validation());
            double embedValidationSeconds = seconds(t);
            results.line("evaluation.embedded backbone=%s readout=%s featureDim=%d train=%d in %.1fs (%.1f ms/scan)"
                            + " validation=%d in %.1fs", backbone.backboneId(), readout.id(), backbone.featureDim(),
                    data.train().size(), embedTrainSeconds, 1000 * embedTrainSeconds / data.train().size(),
                    data.validation().size(), embedValidationSeconds);
            boolean multiScale = readout == FeatureReadout.MULTI_SCALE;
            HeadOnEmbeddings.Outcome outcome = new HeadOnEmbeddings(head, seeds, results).run(
                    multiScale ? "frozen-imagenet-multiscale" : "frozen-imagenet",
                    multiScale ? "ImageNet MobileNetV2 frozen, multi-scale readout (every stage from 1/8 resolution"
                            + " on, pooled and concatenated: " + backbone.featureDim() + " features), head trained on"
                            + " cached embeddings (the service's HEAD mode with *.model.backbone-readout=multi-scale)"
                            : "ImageNet MobileNetV2 frozen (TorchScript), head trained on cached embeddings (the"
                            + " service's HEAD mode)", backbone.backboneId(), data.train(), data.validation(), trainX,
                    validationX);
            if (!multiScale) {
                retrainingCost(backbone, data, validationX, outcome, embedTrainSeconds, embedValidationSeconds);
            }
        }
    }

    /** The alternative to caching: the backbone runs again every epoch. */
    private void retrainingCost(FeatureExtractor backbone, DevelopmentSet data, float[][] validationX,
                                HeadOnEmbeddings.Outcome cached, double embedTrainSeconds,
                                double embedValidationSeconds) {
        HeadTrainingSettings one = head.withEpochs(1);
        LabelledVectors validation = Embeddings.vectors(validationX, data.validation());
        long start = System.nanoTime();
        for (int epoch = 0; epoch < rerunEpochs; epoch++) {
            float[][] again = Embeddings.of(backbone, data.train());
            new HeadTrainer().train(Embeddings.vectors(again, data.train()), validation, one, EpochObserver.NONE);
        }
        double perEpochRerun = seconds(start) / rerunEpochs;
        double rerunRun = perEpochRerun * head.epochs();
        double ratio = rerunRun / cached.secondsPerRun();
        results.line("evaluation.retraining-time epochs=%d cachedEmbeddingsSeconds=%.2f backboneEveryEpochSeconds=%.1f"
                        + " (measured %.2fs/epoch over %d epochs) ratio=%.0fx", head.epochs(), cached.secondsPerRun(),
                rerunRun, perEpochRerun, rerunEpochs, ratio);
        results.put("retrainingTime", Map.of("epochs", head.epochs(), "cachedEmbeddingsSeconds",
                cached.secondsPerRun(), "backboneEveryEpochSeconds", rerunRun, "measuredBackboneEpochSeconds",
                perEpochRerun, "measuredBackboneEpochs", rerunEpochs, "ratio", ratio, "embedTrainSeconds",
                embedTrainSeconds, "embedValidationSeconds", embedValidationSeconds));
    }
}
