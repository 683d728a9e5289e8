package io.scanstream.learning.train;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import io.scanstream.model.backbone.BackboneWeights;
import io.scanstream.model.backbone.Backbones;
import io.scanstream.model.backbone.InputTensors;
import io.scanstream.model.head.HeadBlocks;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Full-network training: the backbone (scan-model's torchvision-compatible block) and the head trained together
 * on labelled preprocessed scans with Adam, binary cross-entropy and the cyclical learning rate ({@link EpochLoop}),
 * from pretrained weights (fine-tuning every layer after the frozen leading blocks) or from scratch (with
 * augmentation). Produces a new backbone parameter file and its head. This is what the system needs where no
 * pretrained weights exist, and what can lift a frozen ImageNet backbone on CT slices; it costs a backbone forward
 * and backward per image per epoch (see docs/training.md for when to use which mode). Optional, off by default
 * because their cross-validation screens did not show a gain (docs/benchmarks.md): early stopping on a grouped
 * stopping split, stronger augmentation, layer-wise decayed rates. Plain Java: no Quarkus, no Kafka.
 */
public final class FullNetworkTrainer {

    private static final String ENGINE = "PyTorch";
    /** Decorrelates the augmentation stream from the shuffling stream of the same seed. */
    private static final long AUGMENTATION_SALT = 0x5DEECE66DL;

    public TrainedNetwork train(List<LabelledImage> train, List<LabelledImage> validation, FullNetworkSettings s,
                                EpochObserver observer) throws IOException {
        if (train.stream().noneMatch(LabelledImage::covid) || train.stream().allMatch(LabelledImage::covid)) {
            throw new IllegalArgumentException("the training images need both classes");
        }
        DjlEnvironment.configure();
        StoppingSplit stopping = StoppingSplit.of(train, s);
        List<LabelledImage> fit = stopping.fit();
        List<GreyImage> trainImages = resized(fit, s.imageSize());
        int batchSize = Math.min(s.batchSize(), fit.size());
        CyclicLearningRate schedule = s.learningRate()
                .inIterations(EpochLoop.iterationsPerEpoch(fit.size(), batchSize));
        HeadArchitecture headArchitecture = s.head().architecture(s.architecture().featureDim());
        Engine.getEngine(ENGINE).setRandomSeed((int) s.seed());
        FullNetworkBlock network = new FullNetworkBlock(Backbones.build(s.architecture()),
                HeadBlocks.build(headArchitecture), s.trainsBatchNormStatistics());
        List<Block> frozen = leadingBlocks(network.backbone(), s.frozenBlocks()); // refused before any work
        long start = System.nanoTime();
        try (ReleasableAdam optimizer = ReleasableAdam.of(Optimizer.adam().optLearningRateTracker(
                LayerwiseRates.of(schedule.tracker(), network.backbone(), s.layerRateDecay())));
             Model model = Model.newInstance("full-network-" + s.architecture().id(), ENGINE)) {
            model.setBlock(network);
            try (Trainer trainer = model.newTrainer(trainingConfig(s, optimizer))) {
                trainer.initialize(new Shape(batchSize, 3, s.imageSize(), s.imageSize()));
                if (s.initialisation() == FullNetworkSettings.Initialisation.PRETRAINED) {
                    BackboneWeights.copyInto(network.backbone(), s.architecture(), s.initialWeights().orElseThrow(),
                            model.getNDManager());
                    // Linear probing, then fine-tuning (Kumar et al., 2022): the head first learns on the
                    // pretrained features (standardised by their statistics, as the service's heads are), so that
                    // fine-tuning starts from a useful head instead of sending a random head's gradients into
                    // pretrained layers at a rate too low for the head itself. A random network's features change
                    // completely and are batch-normalised and ReLU6-bounded: no statistics, no warm start there.
                    warmStartHead(network, fit, trainImages, batchSize, s, model.getNDManager());
                    // No gradients for them: the backward pass stops at the first trainable block, and the
                    // optimiser skips them (DJL updates only parameters that require a gradient).
                    frozen.forEach(block -> block.freezeParameters(true));
                }
                TimeBudget budget = new TimeBudget(s.timeBudget(), start);
                SplittableRandom augmentation = new SplittableRandom(s.seed() ^ AUGMENTATION_SALT);
                EpochLoop loop = new EpochLoop(trainer, batchSize, batchSize, schedule);
                EpochLoop.Rows validationRows = unaugmented(validation, s.imageSize());
                // With a stopping split the loop watches it (its curves are the stopping split's); the run's
                // validation rows are scored once, by the weights kept.
                EarlyStopping<List<float[]>> earlyStopping = new EarlyStopping<>(
                        stopping.on() ? s.earlyStop().patience() : 0, () -> values(network));
                EpochLoop.Outcome outcome = loop.run(rows(fit, trainImages, augmenter(s, augmentation)),
                        stopping.on() ? unaugmented(stopping.held(), s.imageSize())
                                : validationRows, s.epochs(), s.seed(),
                        List.of(EpochLoop.reporting(observer), budget, earlyStopping));
                double[] validationScores = outcome.validationScores();
                int epochOfWeights = outcome.epochs().size();
                if (stopping.on()) {
                    // no best epoch only when every stopping loss was NaN: the last weights stay
                    if (earlyStopping.bestWeights().isPresent()) {
                        restore(network, earlyStopping.bestWeights().get());
                        epochOfWeights = earlyStopping.bestEpoch();
                    }
                    validationScores = loop.score(validationRows).covid();
                }
                return new TrainedNetwork(s.architecture(), BlockParameters.toBytes(network.backbone()), headArchitecture,
                        HeadBlocks.weightsBytes(network.head()), outcome.epochs(), validationScores,
                        (System.nanoTime() - start) / 1_000_000, budget.exhausted(),
                        new TrainedNetwork.EarlyStopOutcome(stopping.held().size(), epochOfWeights,
                                earlyStopping.stopped(), stopping.note()));
            }
        }
    }

    /**
     * The training images split for early stopping: {@code fit} trains, {@code held} chooses the epoch. Grouped as
     * validation is, with its own seed (the validation split's seed would find no group left below its fraction).
     * Off (all images fit) when early stopping is off, or when a side would miss a class: then {@code note} says so.
     */
    record StoppingSplit(List<LabelledImage> fit, List<LabelledImage> held, String note) {

        /** Keeps the stopping split's groups apart from any other split's. */
        private static final long SEED_SALT = 0x3C6EF372FE94F82BL;

        static StoppingSplit of(List<LabelledImage> train, FullNetworkSettings s) {
            if (!s.earlyStop().on()) {
                return new StoppingSplit(train, List.of(), null);
            }
            GroupedSplitter.Result<LabelledImage> split = new GroupedSplitter(s.earlyStop().fraction(),
                    s.seed() ^ SEED_SALT).split(train, GroupedSplitter.LABELLED_IMAGES);
            String problem = GroupedSplitter.check(split, LabelledImage::label, 1);
            if (problem != null) {
                return new StoppingSplit(train, List.of(), "early stopping off for this run: " + problem);
            }
            return new StoppingSplit(split.split().train(), split.split().validation(), null);
        }

        boolean on() {
            return !held.isEmpty();
        }
    }

    /** A copy of every parameter's values (weights and batch-norm statistics), backbone and head. */
    static List<float[]> values(FullNetworkBlock network) {
        return network.getParameters().values().stream().map(p -> p.getArray().toFloatArray()).toList();
    }

    /** Puts copied values back, in place: the trainer's arrays stay the ones it holds. */
    private static void restore(FullNetworkBlock network, List<float[]> values) {
        List<Parameter> parameters = network.getParameters().values();
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).getArray().set(values.get(i));
        }
    }

    private static DefaultTrainingConfig trainingConfig(FullNetworkSettings s, ReleasableAdam optimizer) {
        return new DefaultTrainingConfig(new BinaryCrossEntropyLoss())
                .optInitializer(new SeededInitializer(s.seed()), Parameter.Type.WEIGHT)
                .optOptimizer(optimizer);
    }

    /** The first {@code count} blocks of the backbone, those kept at their pretrained weights. */
    private static List<Block> leadingBlocks(Block backbone, int count) {
        List<Block> blocks = backbone.getChildren().values();
        if (count > blocks.size()) {
            throw new IllegalArgumentException("frozen blocks " + count + " > the backbone's " + blocks.size()
                    + " blocks");
        }
        return blocks.subList(0, count);
    }

    /** Trains the head on the pretrained backbone's features (computed once) and copies it into the network. */
    private static void warmStartHead(FullNetworkBlock network, List<LabelledImage> train, List<GreyImage> images,
                                      int batchSize, FullNetworkSettings s, NDManager manager) {
        boolean[] covid = new boolean[train.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = train.get(i).covid();
        }
        TrainedHead head = new HeadTrainer().train(
                new LabelledVectors(features(network, images, batchSize, manager), covid),
                new LabelledVectors(new float[0][], new boolean[0]), s.head().withEarlyStopPatience(0),
                EpochObserver.NONE);
        Block loaded = HeadBlocks.build(head.architecture());
        try (NDManager scratch = manager.newSubManager();
             DataInputStream in = new DataInputStream(new ByteArrayInputStream(head.weights()))) {
            loaded.loadParameters(scratch, in);
            List<Parameter> from = loaded.getParameters().values();
            List<Parameter> to = network.head().getParameters().values();
            for (int i = 0; i < to.size(); i++) {
                // values into the trainer's own arrays: they carry its gradients
                to.get(i).getArray().set(from.get(i).getArray().toFloatArray());
            }
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("the warm-start head does not load into the network's head", e);
        }
        // The probe reseeded the engine for its dropout; reseed for the fine-tuning's.
        Engine.getEngine(ENGINE).setRandomSeed((int) s.seed());
    }

    /** The backbone's features of each image, in inference mode. */
    private static float[][] features(FullNetworkBlock network, List<GreyImage> images, int batchSize,
                                      NDManager manager) {
        float[][] rows = new float[images.size()][];
        for (int from = 0; from < images.size(); from += batchSize) {
            int size = Math.min(batchSize, images.size() - from);
            try (NDManager batch = manager.newSubManager()) {
                NDArray input = InputTensors.normalisedBatch(batch, images.subList(from, from + size), size);
                NDArray features = network.features(new ParameterStore(batch, false), new NDList(input))
                        .singletonOrThrow();
                int dim = (int) features.getShape().get(1);
                float[] flat = features.toFloatArray();
                for (int i = 0; i < size; i++) {
                    rows[from + i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
                }
            }
        }
        return rows;
    }

    private static EpochLoop.Rows unaugmented(List<LabelledImage> labelled, int size) {
        return rows(labelled, resized(labelled, size), UnaryOperator.identity());
    }

    /** The settings' augmentation drawn from {@code random}; none: the image as it is. */
    private static UnaryOperator<GreyImage> augmenter(FullNetworkSettings s, SplittableRandom random) {
        return s.augmentation().strength()
                .<UnaryOperator<GreyImage>>map(strength -> image -> ImageAugmentation.augment(image, random, strength))
                .orElse(UnaryOperator.identity());
    }

    /** Images as normalised 3-channel minibatches, each image passed through {@code augment} afresh per batch. */
    private static EpochLoop.Rows rows(List<LabelledImage> labelled, List<GreyImage> images,
                                       UnaryOperator<GreyImage> augment) {
        return new EpochLoop.Rows() {
            @Override
            public int size() {
                return labelled.size();
            }

            @Override
            public boolean covid(int row) {
                return labelled.get(row).covid();
            }

            @Override
            public NDArray batch(NDManager manager, int[] rows) {
                List<GreyImage> batch = new ArrayList<>(rows.length);
                for (int row : rows) {
                    batch.add(augment.apply(images.get(row)));
                }
                return InputTensors.normalisedBatch(manager, batch, rows.length);
            }
        };
    }

    private static List<GreyImage> resized(List<LabelledImage> images, int size) {
        return resizedImages(images.stream().map(LabelledImage::image).toList(), size);
    }

    /** Each image at size x size (as it is when it already is): the trainers' input side. */
    static List<GreyImage> resizedImages(List<GreyImage> images, int size) {
        List<GreyImage> out = new ArrayList<>(images.size());
        for (GreyImage g : images) {
            out.add(g.width() == size && g.height() == size ? g : AntialiasedResizer.resize(g, size, size));
        }
        return out;
    }
}
