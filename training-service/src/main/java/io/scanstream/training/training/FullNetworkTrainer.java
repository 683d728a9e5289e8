package io.scanstream.training.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import io.scanstream.model.backbone.TorchScriptImport;
import io.scanstream.model.backbone.Backbones;
import io.scanstream.model.backbone.InputTensors;
import io.scanstream.model.head.HeadBlocks;
import io.scanstream.training.domain.LabelledImage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Full-network training: the backbone (scan-model's torchvision-compatible block) and the head trained together
 * on labelled preprocessed scans with Adam, binary cross-entropy and the cyclical learning rate, from pretrained
 * weights (fine-tuning every layer) or from scratch (with augmentation). Produces a new backbone parameter file
 * and its head. This is what the system needs where no pretrained weights exist, and what can lift a frozen
 * ImageNet backbone on CT slices; it costs a backbone forward and backward per image per epoch (see
 * docs/training.md for when to use which mode). Plain Java: no Quarkus, no Kafka.
 */
public final class FullNetworkTrainer {

    private static final String ENGINE = "PyTorch";

    public TrainedNetwork train(List<LabelledImage> train, List<LabelledImage> validation, FullNetworkSettings s,
                                EpochObserver observer) throws IOException {
        if (train.stream().noneMatch(LabelledImage::covid) || train.stream().allMatch(LabelledImage::covid)) {
            throw new IllegalArgumentException("the training images need both classes");
        }
        DjlEnvironment.ensureOffline();
        List<GreyImage> trainImages = resized(train, s.imageSize());
        List<GreyImage> validationImages = resized(validation, s.imageSize());
        int n = train.size();
        int batchSize = Math.min(s.batchSize(), n);
        int iterationsPerEpoch = (n + batchSize - 1) / batchSize;
        CyclicLearningRate schedule = CyclicLearningRate.inEpochs(s.mode(), s.baseLearningRate(),
                s.maxLearningRate(), s.stepSizeEpochs(), iterationsPerEpoch, 1.0);
        HeadArchitecture headArchitecture = new HeadArchitecture(s.architecture().featureDim(), s.hiddenWidths(),
                s.dropout(), 2);
        Engine.getEngine(ENGINE).setRandomSeed((int) s.seed());
        FullNetworkBlock network = new FullNetworkBlock(Backbones.build(s.architecture()),
                HeadBlocks.build(headArchitecture), s.trainsBatchNormStatistics());
        DefaultTrainingConfig config = new DefaultTrainingConfig(new BinaryCrossEntropyLoss())
                .optInitializer(new SeededInitializer(s.seed()), Parameter.Type.WEIGHT)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule.tracker()).build());
        long start = System.nanoTime();
        try (Model model = Model.newInstance("full-network-" + s.architecture().id(), ENGINE)) {
            model.setBlock(network);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, 3, s.imageSize(), s.imageSize()));
                if (s.initialisation() == FullNetworkSettings.Initialisation.PRETRAINED) {
                    loadPretrained(network.backbone(), s, s.initialWeights().orElseThrow(), model.getNDManager());
                }
                if (s.initialisation() == FullNetworkSettings.Initialisation.PRETRAINED) {
                    // Linear probing, then fine-tuning (Kumar et al., 2022): the head first learns on the
                    // pretrained features (standardised by their statistics, as the service's heads are), so that
                    // fine-tuning starts from a useful head instead of sending a random head's gradients into
                    // pretrained layers at a rate too low for the head itself. A random network's features change
                    // completely and are batch-normalised and ReLU6-bounded: no statistics, no warm start there.
                    warmStartHead(network, headArchitecture, train, trainImages, batchSize, s, model.getNDManager());
                }

                Random shuffle = new Random(s.seed());
                SplittableRandom augmentation = new SplittableRandom(s.seed() ^ 0x5DEECE66DL);
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                List<EpochMetrics> epochs = new ArrayList<>();
                double[] validationScores = new double[validation.size()];
                int updates = 0;
                boolean stoppedByBudget = false;
                long budgetNanos = s.timeBudget().toNanos();
                for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                    long epochStart = System.nanoTime();
                    shuffleInPlace(order, shuffle);
                    double lossSum = 0;
                    int correct = 0;
                    for (int from = 0; from < n; from += batchSize) {
                        int size = Math.min(batchSize, n - from);
                        List<GreyImage> images = new ArrayList<>(size);
                        float[] targets = new float[size];
                        for (int i = 0; i < size; i++) {
                            int row = order[from + i];
                            GreyImage image = trainImages.get(row);
                            images.add(s.augment() ? ImageAugmentation.augment(image, augmentation) : image);
                            targets[i] = train.get(row).covid() ? 1f : 0f;
                        }
                        try (NDManager batch = trainer.getManager().newSubManager()) {
                            NDArray input = InputTensors.normalisedBatch(batch, images, size);
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                                NDArray loss = trainer.getLoss().evaluate(new NDList(batch.create(targets)),
                                        new NDList(logits));
                                collector.backward(loss);
                                lossSum += loss.getFloat() * size;
                                correct += HeadTrainer.correct(logits.toFloatArray(), targets);
                            }
                            trainer.step();
                            updates++;
                        }
                    }
                    Double validationLoss = null;
                    Double validationAccuracy = null;
                    if (!validation.isEmpty()) {
                        double[] lossAndAccuracy = evaluate(trainer, validation, validationImages, batchSize,
                                validationScores);
                        validationLoss = lossAndAccuracy[0];
                        validationAccuracy = lossAndAccuracy[1];
                    }
                    EpochMetrics metrics = new EpochMetrics(epoch, lossSum / n, (double) correct / n, validationLoss,
                            validationAccuracy, schedule.at(updates));
                    epochs.add(metrics);
                    observer.epochFinished(metrics, s.epochs());
                    long elapsed = System.nanoTime() - start;
                    long epochTime = System.nanoTime() - epochStart;
                    if (epoch < s.epochs() && elapsed + epochTime > budgetNanos) {
                        stoppedByBudget = true;
                        break;
                    }
                }
                return new TrainedNetwork(s.architecture(), parameters(network.backbone()), headArchitecture,
                        HeadBlocks.weightsBytes(network.head()), epochs, validationScores,
                        (System.nanoTime() - start) / 1_000_000, stoppedByBudget);
            }
        }
    }

    /** Pretrained weights into the block: a TorchScript export, or DJL parameters (e.g. a previous run's). */
    private static void loadPretrained(Block backbone, FullNetworkSettings s, Path weights, NDManager manager)
            throws IOException {
        String name = weights.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pt") || name.endsWith(".torchscript")) {
            TorchScriptImport.copyInto(backbone, s.architecture(), weights, manager);
            return;
        }
        if (!name.endsWith(".params")) {
            throw new IllegalArgumentException("backbone weights " + weights
                    + ": expected TorchScript (.pt, .torchscript) or DJL parameters (.params)");
        }
        Block loaded = Backbones.build(s.architecture());
        try (NDManager scratch = manager.newSubManager()) {
            Backbones.loadParameters(loaded, s.architecture(), weights, scratch);
            List<Parameter> from = loaded.getParameters().values();
            List<Parameter> to = backbone.getParameters().values();
            if (from.size() != to.size()) {
                throw new IllegalArgumentException(weights + " holds " + from.size() + " parameters, "
                        + s.architecture().id() + " has " + to.size());
            }
            for (int i = 0; i < to.size(); i++) {
                NDArray value = from.get(i).getArray();
                if (!value.getShape().equals(to.get(i).getArray().getShape())) {
                    throw new IllegalArgumentException(weights + ": parameter " + i + " has shape " + value.getShape()
                            + ", " + s.architecture().id() + " needs " + to.get(i).getArray().getShape());
                }
                to.get(i).getArray().set(value.toFloatArray());
            }
        }
    }

    /** Trains the head on the pretrained backbone's (cached) features and copies it into the network. */
    private static void warmStartHead(FullNetworkBlock network, HeadArchitecture architecture,
                                      List<LabelledImage> train, List<GreyImage> images, int batchSize,
                                      FullNetworkSettings s, NDManager manager) throws IOException {
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
        boolean[] covid = new boolean[train.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = train.get(i).covid();
        }
        HeadTrainingSettings probe = HeadTrainingSettings.defaults().withSeed(s.seed());
        probe = new HeadTrainingSettings(architecture.hiddenWidths(), architecture.dropout(), probe.epochs(),
                probe.batchSize(), probe.mode(), probe.baseLearningRate(), probe.maxLearningRate(),
                probe.stepSizeEpochs(), probe.gamma(), s.seed(), 0, 0);
        TrainedHead head = new HeadTrainer().train(new LabelledVectors(rows, covid),
                new LabelledVectors(new float[0][], new boolean[0]), probe, EpochObserver.NONE);
        Block loaded = HeadBlocks.build(architecture);
        try (NDManager scratch = manager.newSubManager();
             java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(head.weights()))) {
            loaded.loadParameters(scratch, in);
            List<Parameter> from = loaded.getParameters().values();
            List<Parameter> to = network.head().getParameters().values();
            for (int i = 0; i < to.size(); i++) {
                // values into the trainer's own arrays: they carry its gradients
                to.get(i).getArray().set(from.get(i).getArray().toFloatArray());
            }
        } catch (ai.djl.MalformedModelException e) {
            throw new IllegalStateException("the warm-start head does not load into the network's head", e);
        }
        // The probe reseeded the engine for its dropout; reseed for the fine-tuning's.
        Engine.getEngine(ENGINE).setRandomSeed((int) s.seed());
    }

    /** Validation loss and accuracy at P ≥ 0.5 (inference mode); fills in each image's P(COVID). */
    private static double[] evaluate(Trainer trainer, List<LabelledImage> validation, List<GreyImage> images,
                                     int batchSize, double[] scores) {
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < images.size(); from += batchSize) {
            int size = Math.min(batchSize, images.size() - from);
            float[] targets = new float[size];
            for (int i = 0; i < size; i++) {
                targets[i] = validation.get(from + i).covid() ? 1f : 0f;
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray input = InputTensors.normalisedBatch(batch, images.subList(from, from + size), size);
                NDArray logits = trainer.evaluate(new NDList(input)).singletonOrThrow();
                lossSum += trainer.getLoss().evaluate(new NDList(batch.create(targets)), new NDList(logits)).getFloat()
                        * size;
                float[] flat = logits.toFloatArray();
                correct += HeadTrainer.correct(flat, targets);
                float[] covid = logits.softmax(1).get(new NDIndex(":, 1")).toFloatArray();
                for (int i = 0; i < size; i++) {
                    scores[from + i] = covid[i];
                }
            }
        }
        return new double[] {lossSum / images.size(), (double) correct / images.size()};
    }

    private static List<GreyImage> resized(List<LabelledImage> images, int size) {
        List<GreyImage> out = new ArrayList<>(images.size());
        for (LabelledImage image : images) {
            GreyImage g = image.image();
            out.add(g.width() == size && g.height() == size ? g : AntialiasedResizer.resize(g, size, size));
        }
        return out;
    }

    private static byte[] parameters(Block backbone) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            backbone.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void shuffleInPlace(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
