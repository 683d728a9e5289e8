package io.scanstream.learning.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.BackboneWeights;
import io.scanstream.model.backbone.Backbones;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.evaluate.HeadScoring;
import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.model.metrics.BinaryEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Full-network training kept tiny for a CPU test: 32x32 images (MobileNetV2 accepts them), an easy task, a few
 * epochs. Real-data full-network runs belong to the evaluation command (docs/training.md), not to the suite.
 */
class FullNetworkTrainerTest {

    private static final int SIZE = 32;

    @TempDir
    Path dir;

    @Test
    void trainsABackboneFromScratchThatSeparatesAnEasyTaskAndWritesLoadableWeights() throws Exception {
        List<LabelledImage> train = images(48, 1);
        // Sized so that other trajectories pass too, not just this seed's: a CPU whose kernels round differently
        // follows another path, as another seed does. Over seeds 1-8 (the head's seed seeds the whole run: weights,
        // shuffling, augmentation) these gave AUC 0.95-1.00 from scratch and 0.84-1.00
        // after the one-epoch fine-tune below (8 epochs and 16 validation images: 0.70-1.00 and 0.63-1.00).
        List<LabelledImage> validation = images(32, 2);
        FullNetworkSettings settings = settings(FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), 16, 1e-2);

        TrainedNetwork network = new FullNetworkTrainer().train(train, validation, settings, EpochObserver.NONE);

        assertThat(network.epochs()).hasSize(16);
        assertThat(network.epochs().get(15).trainLoss()).isLessThan(network.epochs().get(0).trainLoss());
        boolean[] covid = new boolean[validation.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = validation.get(i).covid();
        }
        BinaryEvaluation evaluation = ThresholdRule.YOUDEN.evaluate(network.validationScores(), covid);
        assertThat(evaluation.auc()).isGreaterThan(0.9);

        // The new backbone is a file inference and training can be configured with.
        Path file = dir.resolve("backbone.params");
        Files.write(file, network.backboneParameters());
        try (FeatureExtractor extractor = FeatureExtractors.load(
                BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, file), 0)) {
            assertThat(extractor.backboneId()).matches("mobilenet_v2:[0-9a-f]{12}");
            assertThat(extractor.pretrained()).isTrue();
            float[][] features = extractor.embed(List.of(train.get(0).image(), train.get(1).image()), 2);
            assertThat(features[0]).hasSize(1280);
            assertThat(features[0]).isNotEqualTo(features[1]);
        }

        // ... and a starting point for fine-tuning (at a tenth of the rate: the features are worth keeping).
        TrainedNetwork fineTuned = new FullNetworkTrainer().train(train, validation,
                settings(FullNetworkSettings.Initialisation.PRETRAINED, Optional.of(file), 1, 1e-3), EpochObserver.NONE);
        assertThat(fineTuned.epochs()).hasSize(1);
        // one epoch re-trains a fresh head on features that already separate the classes
        assertThat(ThresholdRule.YOUDEN.evaluate(fineTuned.validationScores(), covid).auc()).isGreaterThan(0.8);
    }

    @Test
    void keepsTheLeadingBlocksAtTheirPretrainedWeightsWhenAskedToFreezeThem() throws Exception {
        List<LabelledImage> train = images(32, 5);
        Path pretrained = pretrainedFile(train);
        int frozen = 10;
        FullNetworkSettings partial = partial(pretrained, frozen, 1.0, ImageAugmentation.Level.MILD);

        TrainedNetwork fineTuned = new FullNetworkTrainer().train(train, List.of(), partial, EpochObserver.NONE);
        Path tuned = dir.resolve("tuned.params");
        Files.write(tuned, fineTuned.backboneParameters());

        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            List<List<float[]>> before = blockWeights(pretrained, manager);
            List<List<float[]>> after = blockWeights(tuned, manager);
            for (int b = 0; b < frozen; b++) {
                for (int p = 0; p < before.get(b).size(); p++) {
                    assertThat(after.get(b).get(p)).as("block %d parameter %d", b, p).isEqualTo(before.get(b).get(p));
                }
            }
            // every block after them that has weights was trained
            for (int b = frozen; b < before.size(); b++) {
                if (!before.get(b).isEmpty()) {
                    assertThat(after.get(b).get(0)).as("block %d", b).isNotEqualTo(before.get(b).get(0));
                }
            }
        }
    }

    @Test
    void discriminativeRatesMoveTheFirstTrainableBlockFarLessThanTheLastOne() throws Exception {
        List<LabelledImage> train = images(32, 5);
        Path pretrained = pretrainedFile(train);
        int frozen = 10;
        double[] firstOverLast = new double[2];
        double[] decays = {1.0, 0.3};
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            List<List<float[]>> before = blockWeights(pretrained, manager);
            int last = before.size() - 1;
            while (before.get(last).isEmpty()) {
                last--;
            }
            for (int d = 0; d < decays.length; d++) {
                FullNetworkSettings partial = partial(pretrained, frozen, decays[d], ImageAugmentation.Level.NONE);
                Path tuned = dir.resolve("tuned-" + d + ".params");
                Files.write(tuned, new FullNetworkTrainer().train(train, List.of(), partial, EpochObserver.NONE)
                        .backboneParameters());
                List<List<float[]>> after = blockWeights(tuned, manager);
                firstOverLast[d] = meanChange(before.get(frozen).get(0), after.get(frozen).get(0))
                        / meanChange(before.get(last).get(0), after.get(last).get(0));
            }
        }
        // Adam's steps are about the rate in size: one rate moves both blocks alike; a decay of 0.3 over the
        // trainable blocks makes the first one's rate 0.3^(blocks) of the last one's.
        assertThat(firstOverLast[0]).isGreaterThan(0.1);
        assertThat(firstOverLast[1]).isLessThan(0.01);
    }

    private static double meanChange(float[] before, float[] after) {
        double sum = 0;
        for (int i = 0; i < before.length; i++) {
            sum += Math.abs(after[i] - before[i]);
        }
        return sum / before.length;
    }

    // The seed fixes data order, augmentation draws and initialisation: no Java-side randomness escapes it. Real runs
    // (hundreds of 224 px scans, many steps) now and then part all the same, even on one native thread, for a reason
    // not yet known; so this holds for a small run, not for every run (docs/training.md, "How much one run says").
    // The backbones are compared by value, within float rounding: once in many CI runs (stop 51) two such runs gave the
    // same scores and head to the last bit and backbone bytes that were not identical. A seed that leaked (another
    // shuffle, other augmentation draws) would part the weights by Adam's step, 1e-3 to 1e-2: seed 4 below (0.07 when
    // measured).
    @Test
    void theSameSeedFineTunesTheSameNetwork() throws Exception {
        List<LabelledImage> train = images(32, 5);
        Path pretrained = pretrainedFile(train);
        FullNetworkSettings settings = settings(FullNetworkSettings.Initialisation.PRETRAINED, Optional.of(pretrained),
                2, 1e-2);

        TrainedNetwork first = new FullNetworkTrainer().train(train, images(8, 6), settings, EpochObserver.NONE);
        TrainedNetwork second = new FullNetworkTrainer().train(train, images(8, 6), settings, EpochObserver.NONE);
        FullNetworkSettings seed4 = settings(FullNetworkSettings.Initialisation.PRETRAINED, Optional.of(pretrained),
                2, 1e-2, FullNetworkSettings.EarlyStop.OFF, 4);
        TrainedNetwork otherSeed = new FullNetworkTrainer().train(train, images(8, 6), seed4, EpochObserver.NONE);

        assertThat(second.validationScores()).containsExactly(first.validationScores());
        assertThat(second.headWeights()).isEqualTo(first.headWeights());
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            List<List<float[]>> firstWeights = blockWeights(Files.write(dir.resolve("first.params"),
                    first.backboneParameters()), manager);
            assertThat(largestDifference(firstWeights, blockWeights(Files.write(dir.resolve("second.params"),
                    second.backboneParameters()), manager))).isLessThan(1e-5);
            assertThat(largestDifference(firstWeights, blockWeights(Files.write(dir.resolve("other-seed.params"),
                    otherSeed.backboneParameters()), manager))).isGreaterThan(1e-3);
        }
    }

    /** The largest absolute difference between two backbones' parameter values, block by block. */
    private static double largestDifference(List<List<float[]>> a, List<List<float[]>> b) {
        assertThat(b).hasSameSizeAs(a);
        double largest = 0;
        for (int block = 0; block < a.size(); block++) {
            assertThat(b.get(block)).hasSameSizeAs(a.get(block));
            for (int p = 0; p < a.get(block).size(); p++) {
                float[] x = a.get(block).get(p);
                float[] y = b.get(block).get(p);
                assertThat(y).hasSameSizeAs(x);
                for (int i = 0; i < x.length; i++) {
                    largest = Math.max(largest, Math.abs(x[i] - y[i]));
                }
            }
        }
        return largest;
    }

    @Test
    void refusesFrozenBlocksWithoutPretrainedWeights() {
        assertThatThrownBy(() -> new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), head(3), 1, 8,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-3, 1e-2, 1, 1), 1.0, SIZE,
                ImageAugmentation.Level.NONE, 3, Duration.ofMinutes(1), FullNetworkSettings.EarlyStop.OFF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozen");
    }

    @Test
    void refusesMoreFrozenBlocksThanTheBackboneHasBeforeReadingAnything() {
        // MobileNetV2 has fewer than 25 blocks; the weights file is never opened, the probe never runs
        FullNetworkSettings tooMany = new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                FullNetworkSettings.Initialisation.PRETRAINED, Optional.of(dir.resolve("absent.params")), head(3), 1,
                8, new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-3, 1e-2, 1, 1), 1.0, SIZE,
                ImageAugmentation.Level.NONE, 25, Duration.ofMinutes(1), FullNetworkSettings.EarlyStop.OFF);

        assertThatThrownBy(() -> new FullNetworkTrainer().train(images(8, 3), List.of(), tooMany, EpochObserver.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozen blocks 25");
    }

    /** A backbone file to fine-tune from: one scratch epoch on {@code train} (no ImageNet weights in tests). */
    private Path pretrainedFile(List<LabelledImage> train) throws Exception {
        TrainedNetwork scratch = new FullNetworkTrainer().train(train, List.of(),
                settings(FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), 1, 1e-2), EpochObserver.NONE);
        return Files.write(dir.resolve("pretrained.params"), scratch.backboneParameters());
    }

    /** One epoch of partial fine-tuning from {@code pretrained}, its first {@code frozen} blocks kept. */
    private static FullNetworkSettings partial(Path pretrained, int frozen, double layerRateDecay,
                                               ImageAugmentation.Level augmentation) {
        return new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                FullNetworkSettings.Initialisation.PRETRAINED, Optional.of(pretrained), head(3), 1, 8,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-3, 1e-2, 2, 1), layerRateDecay, SIZE,
                augmentation, frozen, Duration.ofMinutes(5), FullNetworkSettings.EarlyStop.OFF);
    }

    /** Each block's parameter values, in order, as a backbone file holds them. */
    private static List<List<float[]>> blockWeights(Path file, NDManager manager) throws Exception {
        SequentialBlock block = Backbones.build(BackboneArchitecture.MOBILENET_V2);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
        BackboneWeights.copyInto(block, BackboneArchitecture.MOBILENET_V2, file, manager);
        List<List<float[]>> out = new ArrayList<>();
        for (Block child : block.getChildren().values()) {
            out.add(child.getParameters().values().stream().map(p -> p.getArray().toFloatArray()).toList());
        }
        return out;
    }

    @Test
    void stopsStartingEpochsOnceTheTimeBudgetIsSpent() throws Exception {
        FullNetworkSettings settings = new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2,
                FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), head(3), 50, 8,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-3, 1e-2, 1, 1), 1.0, SIZE,
                ImageAugmentation.Level.NONE, 0, Duration.ofMillis(1), FullNetworkSettings.EarlyStop.OFF);

        TrainedNetwork network = new FullNetworkTrainer().train(images(8, 3), images(4, 4), settings,
                EpochObserver.NONE);

        assertThat(network.stoppedByBudget()).isTrue();
        assertThat(network.epochs()).hasSize(1);
    }

    @Test
    void holdsBackWholeGroupsOfBothClassesToChooseTheEpochAndOnlyWhenAsked() {
        List<LabelledImage> train = withOrigins(images(60, 5), 12);
        FullNetworkSettings on = settings(FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), 4, 1e-2,
                new FullNetworkSettings.EarlyStop(2, 0.3));

        FullNetworkTrainer.StoppingSplit split = FullNetworkTrainer.StoppingSplit.of(train, on);

        assertThat(split.on()).isTrue();
        assertThat(split.note()).isNull();
        assertThat(split.fit().size() + split.held().size()).isEqualTo(train.size());
        assertThat(split.held()).extracting(LabelledImage::label)
                .contains(ClinicalLabel.COVID, ClinicalLabel.NON_COVID);
        assertThat(split.fit()).extracting(LabelledImage::origin)
                .doesNotContainAnyElementsOf(split.held().stream().map(LabelledImage::origin).toList());
        // the same images and settings, the same split (the service and the evaluation must agree)
        assertThat(FullNetworkTrainer.StoppingSplit.of(train, on).held()).isEqualTo(split.held());
        // off: every image trains
        FullNetworkTrainer.StoppingSplit off = FullNetworkTrainer.StoppingSplit.of(train,
                settings(FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), 4, 1e-2));
        assertThat(off.on()).isFalse();
        assertThat(off.fit()).isEqualTo(train);
        // one origin per class: no stopping split can hold both classes and leave both to train on; it says so
        FullNetworkTrainer.StoppingSplit impossible = FullNetworkTrainer.StoppingSplit.of(withOrigins(train, 2), on);
        assertThat(impossible.on()).isFalse();
        assertThat(impossible.fit()).hasSize(train.size());
        assertThat(impossible.note()).startsWith("early stopping off for this run").contains("group(s) with");
    }

    @Test
    void earlyStoppingKeepsTheEpochWithTheLowestStoppingLossAndScoresValidationWithIt() throws Exception {
        List<LabelledImage> train = withOrigins(images(60, 6), 12);
        List<LabelledImage> validation = images(16, 7);
        int patience = 2;
        // a rate high enough that the stopping loss does not fall every epoch
        FullNetworkSettings settings = settings(FullNetworkSettings.Initialisation.SCRATCH, Optional.empty(), 12,
                5e-2, new FullNetworkSettings.EarlyStop(patience, 0.3));
        List<Double> stoppingLosses = new ArrayList<>();

        TrainedNetwork network = new FullNetworkTrainer().train(train, validation, settings,
                (metrics, epochs) -> stoppingLosses.add(metrics.validationLoss()));

        List<LabelledImage> held = FullNetworkTrainer.StoppingSplit.of(train, settings).held();
        TrainedNetwork.EarlyStopOutcome outcome = network.earlyStop();
        assertThat(outcome.stoppingRows()).isEqualTo(held.size()).isPositive();
        int best = 1 + stoppingLosses.indexOf(stoppingLosses.stream().min(Double::compare).orElseThrow());
        assertThat(outcome.epochOfWeights()).isEqualTo(best);
        if (outcome.stopped()) {
            assertThat(network.epochs()).hasSize(best + patience);
        } else {
            assertThat(network.epochs()).hasSize(12);
        }
        // The weights returned are the best epoch's: their loss on the stopping split is the lowest one seen ...
        Path file = dir.resolve("stopped.params");
        Files.write(file, network.backboneParameters());
        try (FeatureExtractor extractor = FeatureExtractors.load(
                BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, file), 0)) {
            double[] heldScores = HeadScoring.score(network.head(), network.headWeights(),
                    extractor.embed(held.stream().map(LabelledImage::image).toList(), held.size()));
            double loss = 0;
            for (int i = 0; i < held.size(); i++) {
                double p = held.get(i).covid() ? heldScores[i] : 1 - heldScores[i];
                loss -= Math.log(Math.max(p, 1e-12));
            }
            assertThat(loss / held.size()).isCloseTo(stoppingLosses.get(best - 1), within(1e-3));
            // ... and the run's validation scores are theirs, not the last epoch's
            double[] validationScores = HeadScoring.score(network.head(), network.headWeights(),
                    extractor.embed(validation.stream().map(LabelledImage::image).toList(), validation.size()));
            assertThat(network.validationScores()).containsExactly(validationScores, within(1e-4));
        }
    }

    /** The images, each given one of {@code origins} sources, the classes spread over them. */
    private static List<LabelledImage> withOrigins(List<LabelledImage> images, int origins) {
        List<LabelledImage> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            LabelledImage image = images.get(i);
            // even rows are COVID: the source index keeps each source to one class when origins is even
            out.add(new LabelledImage(image.scanId(), image.label(), image.patient(), image.image(),
                    "source-" + (i % origins)));
        }
        return out;
    }

    private static FullNetworkSettings settings(FullNetworkSettings.Initialisation init, Optional<Path> weights,
                                                int epochs, double maxLearningRate) {
        return settings(init, weights, epochs, maxLearningRate, FullNetworkSettings.EarlyStop.OFF);
    }

    private static FullNetworkSettings settings(FullNetworkSettings.Initialisation init, Optional<Path> weights,
                                                int epochs, double maxLearningRate,
                                                FullNetworkSettings.EarlyStop earlyStop) {
        return settings(init, weights, epochs, maxLearningRate, earlyStop, 3);
    }

    /** {@code seed} is the head's, which seeds the whole run. */
    private static FullNetworkSettings settings(FullNetworkSettings.Initialisation init, Optional<Path> weights,
                                                int epochs, double maxLearningRate,
                                                FullNetworkSettings.EarlyStop earlyStop, long seed) {
        return new FullNetworkSettings(BackboneArchitecture.MOBILENET_V2, init, weights, head(seed), epochs, 8,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, maxLearningRate / 10, maxLearningRate,
                        2, 1), 1.0, SIZE, ImageAugmentation.Level.MILD, 0, Duration.ofMinutes(5), earlyStop);
    }

    /** A small head; its linear probe (PRETRAINED) trains as the service's defaults do. */
    private static HeadTrainingSettings head(long seed) {
        return new HeadTrainingSettings(List.of(32, 16, 8), 0.0, 30, 32,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-4, 1e-3, 4, 0.999), seed, 0, 0);
    }

    /** COVID-like: a bright soft disk somewhere in the middle; the other class: none. Noise on both. */
    static List<LabelledImage> images(int n, long seed) {
        Random random = new Random(seed);
        List<LabelledImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean covid = i % 2 == 0;
            double cx = 10 + random.nextInt(12);
            double cy = 10 + random.nextInt(12);
            byte[] pixels = new byte[SIZE * SIZE];
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double v = 60 + random.nextGaussian() * 12;
                    if (covid) {
                        double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                        v += 140 * Math.exp(-d2 / 18);
                    }
                    pixels[y * SIZE + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
            out.add(new LabelledImage("img-" + seed + "-" + i, covid ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID,
                    "p-" + seed + "-" + i, new GreyImage(SIZE, SIZE, pixels)));
        }
        return out;
    }
}
