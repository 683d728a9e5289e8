package io.scanstream.learning.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import io.scanstream.model.backbone.BackboneWeights;
import io.scanstream.model.backbone.Backbones;
import io.scanstream.model.backbone.InputTensors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Self-supervised contrastive pretraining of a backbone on scans without labels (SimCLR, Chen et al., 2020): two
 * strongly augmented views of every image (as {@link ContrastiveSettings#views()} says), backbone → projection
 * head (1280 → 512 → ReLU → d), NT-Xent loss ({@link NtXentLoss}), Adam with the cyclical rate. The projection head
 * is thrown away; the backbone's parameters are written as full-network training writes them, so fine-tuning, the
 * evaluation and the services take the result as a weights file. A streaming system sees far more unlabelled scans
 * than labelled ones: this is how it could learn from them. Plain Java: no Quarkus, no Kafka.
 */
public final class ContrastivePretrainer {

    /** A finished run: the backbone's parameters (DJL .params bytes), the mean loss of each epoch, its wall time. */
    public record Result(byte[] backboneParameters, double[] epochLosses, long trainingMillis) {
    }

    /** Told after every epoch. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (epoch, epochs, loss) -> { };

        void epochFinished(int epoch, int epochs, double meanLoss);
    }

    private static final String ENGINE = "PyTorch";
    private static final int PROJECTION_HIDDEN = 512;
    /** Decorrelates the views from the shuffling of the same seed. */
    private static final long VIEW_SALT = 0x3C6EF372FE94F82AL;

    public Result pretrain(List<GreyImage> images, ContrastiveSettings s, Progress progress) throws IOException {
        int pairs = Math.min(s.pairsPerBatch(), images.size());
        if (pairs < 2) {
            throw new IllegalArgumentException("contrastive pretraining needs at least 2 images, got " + images.size());
        }
        DjlEnvironment.configure();
        List<GreyImage> resized = FullNetworkTrainer.resizedImages(images, s.imageSize());
        // Whole batches only: a last batch of one image would have no negatives.
        int steps = resized.size() / pairs;
        CyclicLearningRate schedule = s.learningRate().inIterations(steps);
        Engine.getEngine(ENGINE).setRandomSeed((int) s.seed());
        boolean scratch = s.initialWeights().isEmpty();
        FullNetworkBlock network = new FullNetworkBlock(Backbones.build(s.architecture()), projection(s), scratch);
        long start = System.nanoTime();
        try (ReleasableAdam optimizer = ReleasableAdam.of(Optimizer.adam()
                .optLearningRateTracker(schedule.tracker()));
             Model model = Model.newInstance("contrastive-" + s.architecture().id(), ENGINE)) {
            model.setBlock(network);
            // The trainer's loss is never called: NT-Xent needs the whole batch, not (label, prediction) pairs.
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optInitializer(new SeededInitializer(s.seed()), Parameter.Type.WEIGHT)
                    .optOptimizer(optimizer);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(2L * pairs, 3, s.imageSize(), s.imageSize()));
                if (!scratch) {
                    BackboneWeights.copyInto(network.backbone(), s.architecture(), s.initialWeights().get(),
                            model.getNDManager());
                }
                SplittableRandom shuffling = new SplittableRandom(s.seed());
                SplittableRandom views = new SplittableRandom(s.seed() ^ VIEW_SALT);
                double[] losses = new double[s.epochs()];
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    int[] order = EpochLoop.identity(resized.size());
                    EpochLoop.shuffle(order, shuffling);
                    double sum = 0;
                    for (int step = 0; step < steps; step++) {
                        sum += step(trainer, resized, order, step * pairs, pairs, views, s);
                    }
                    losses[epoch] = sum / steps;
                    progress.epochFinished(epoch + 1, s.epochs(), losses[epoch]);
                }
                return new Result(BlockParameters.toBytes(network.backbone()), losses,
                        (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    /** One optimiser step on images order[from..from+pairs): their first views, then their second views. */
    private static double step(Trainer trainer, List<GreyImage> images, int[] order, int from, int pairs,
                               SplittableRandom views, ContrastiveSettings s) {
        List<GreyImage> batch = new ArrayList<>(2 * pairs);
        for (int view = 0; view < 2; view++) {
            for (int i = 0; i < pairs; i++) {
                batch.add(ImageAugmentation.augment(images.get(order[from + i]), views, s.views()));
            }
        }
        try (NDManager manager = trainer.getManager().newSubManager()) {
            NDArray input = InputTensors.normalisedBatch(manager, batch, batch.size());
            double loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray value = NtXentLoss.of(trainer.forward(new NDList(input)).singletonOrThrow(), s.temperature());
                collector.backward(value);
                loss = value.getFloat();
            }
            trainer.step();
            return loss;
        }
    }

    private static SequentialBlock projection(ContrastiveSettings s) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(PROJECTION_HIDDEN).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(s.projectionDim()).build());
    }
}
