package io.scanstream.training.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import io.scanstream.model.head.HeadBlocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains the classification head (DESIGN section 4) on cached embeddings with DJL: Adam, binary cross-entropy,
 * the cyclical learning rate, dropout, minibatches shuffled with a fixed seed. The training split's per-feature
 * mean and standard deviation become the head's standardisation layer (they travel in the weights). Records the
 * training and validation loss and accuracy (at P ≥ 0.5) of every epoch. Plain Java: no Quarkus, no Kafka.
 *
 * <p>Training figures are those of the epoch's minibatches (dropout on, weights moving), as the seed's curves
 * were; validation figures are computed after the epoch with dropout off.
 */
public final class HeadTrainer {

    static final String ENGINE = "PyTorch";
    private static final int EVALUATION_BATCH = 1024;

    public TrainedHead train(LabelledVectors train, LabelledVectors validation, HeadTrainingSettings settings,
                             EpochObserver observer) {
        if (train.size() == 0 || !train.hasBothClasses()) {
            throw new IllegalArgumentException("the training split needs both classes, got " + train.positives()
                    + " COVID of " + train.size());
        }
        DjlEnvironment.ensureOffline();
        int n = train.size();
        int dim = train.dimension();
        HeadArchitecture architecture = new HeadArchitecture(dim, settings.hiddenWidths(), settings.dropout(), 2);
        int batchSize = Math.min(settings.batchSize(), n);
        int iterationsPerEpoch = (n + batchSize - 1) / batchSize;
        CyclicLearningRate schedule = settings.schedule(iterationsPerEpoch);
        FeatureStatistics statistics = FeatureStatistics.of(train.features());
        // Dropout masks come from the engine's generator: seeded per run so that a run is reproducible.
        Engine.getEngine(ENGINE).setRandomSeed((int) settings.seed());
        DefaultTrainingConfig config = new DefaultTrainingConfig(new BinaryCrossEntropyLoss())
                .optInitializer(new SeededInitializer(settings.seed()), Parameter.Type.WEIGHT)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule.tracker())
                        .optWeightDecays((float) settings.weightDecay()).build());
        long start = System.nanoTime();
        try (Model model = HeadBlocks.newModel(architecture); Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(batchSize, dim));
            HeadBlocks.setFeatureStandardization(model.getBlock(), statistics.mean(), statistics.std());
            Random shuffle = new Random(settings.seed());
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            List<EpochMetrics> epochs = new ArrayList<>();
            int updates = 0;
            double bestValidationLoss = Double.POSITIVE_INFINITY;
            byte[] bestWeights = null;
            int bestEpoch = 0;
            boolean stoppedEarly = false;
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                shuffle(order, shuffle);
                double lossSum = 0;
                int correct = 0;
                for (int from = 0; from < n; from += batchSize) {
                    int size = Math.min(batchSize, n - from);
                    float[] x = new float[size * dim];
                    float[] y = new float[size];
                    for (int i = 0; i < size; i++) {
                        int row = order[from + i];
                        System.arraycopy(train.features()[row], 0, x, i * dim, dim);
                        y[i] = train.covid()[row] ? 1f : 0f;
                    }
                    try (NDManager batch = trainer.getManager().newSubManager()) {
                        NDArray features = batch.create(x, new Shape(size, dim));
                        NDArray targets = batch.create(y);
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray logits = trainer.forward(new NDList(features)).singletonOrThrow();
                            NDArray loss = trainer.getLoss().evaluate(new NDList(targets), new NDList(logits));
                            collector.backward(loss);
                            lossSum += loss.getFloat() * size;
                            correct += correct(logits.toFloatArray(), y);
                        }
                        trainer.step();
                        updates++;
                    }
                }
                Double validationLoss = null;
                Double validationAccuracy = null;
                if (validation.size() > 0) {
                    double[] lossAndAccuracy = evaluate(trainer, validation);
                    validationLoss = lossAndAccuracy[0];
                    validationAccuracy = lossAndAccuracy[1];
                }
                EpochMetrics metrics = new EpochMetrics(epoch, lossSum / n, (double) correct / n, validationLoss,
                        validationAccuracy, schedule.at(updates));
                epochs.add(metrics);
                observer.epochFinished(metrics, settings.epochs());
                if (settings.earlyStopPatience() > 0 && validationLoss != null) {
                    if (validationLoss < bestValidationLoss) {
                        bestValidationLoss = validationLoss;
                        bestWeights = HeadBlocks.weightsBytes(model.getBlock());
                        bestEpoch = epoch;
                    } else if (epoch - bestEpoch >= settings.earlyStopPatience()) {
                        stoppedEarly = true;
                        break;
                    }
                }
            }
            byte[] weights = bestWeights != null ? bestWeights : HeadBlocks.weightsBytes(model.getBlock());
            int epochOfWeights = bestWeights != null ? bestEpoch : epochs.size();
            return new TrainedHead(architecture, weights, epochs, epochOfWeights, stoppedEarly,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Mean loss and accuracy at P ≥ 0.5, dropout off. */
    private static double[] evaluate(Trainer trainer, LabelledVectors data) {
        int dim = data.dimension();
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < data.size(); from += EVALUATION_BATCH) {
            int size = Math.min(EVALUATION_BATCH, data.size() - from);
            float[] x = new float[size * dim];
            float[] y = new float[size];
            for (int i = 0; i < size; i++) {
                System.arraycopy(data.features()[from + i], 0, x, i * dim, dim);
                y[i] = data.covid()[from + i] ? 1f : 0f;
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray logits = trainer.evaluate(new NDList(batch.create(x, new Shape(size, dim)))).singletonOrThrow();
                NDArray loss = trainer.getLoss().evaluate(new NDList(batch.create(y)), new NDList(logits));
                lossSum += loss.getFloat() * size;
                correct += correct(logits.toFloatArray(), y);
            }
        }
        return new double[] {lossSum / data.size(), (double) correct / data.size()};
    }

    /** Rows whose predicted class (COVID when l1 ≥ l0, i.e. P ≥ 0.5) matches the target. */
    static int correct(float[] logits, float[] targets) {
        int correct = 0;
        for (int i = 0; i < targets.length; i++) {
            boolean covid = logits[2 * i + 1] >= logits[2 * i];
            if (covid == (targets[i] > 0.5f)) {
                correct++;
            }
        }
        return correct;
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
