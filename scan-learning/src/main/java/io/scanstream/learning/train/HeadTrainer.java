package io.scanstream.learning.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import io.scanstream.model.head.HeadBlocks;

import java.util.List;

/**
 * Trains the classification head on cached embeddings with DJL: Adam, binary cross-entropy, the cyclical learning
 * rate, dropout, minibatches shuffled with a fixed seed ({@link EpochLoop}). The training split's per-feature mean
 * and standard deviation become the head's standardisation layer (they travel in the weights). Records the
 * training and validation loss and accuracy (at P &ge; 0.5) of every epoch. Plain Java: no Quarkus, no Kafka.
 */
public final class HeadTrainer {

    static final String ENGINE = "PyTorch";
    /** Validation rows per forward pass: inference only, so far more than a training minibatch. */
    private static final int SCORING_BATCH = 1024;

    public TrainedHead train(LabelledVectors train, LabelledVectors validation, HeadTrainingSettings settings,
                             EpochObserver observer) {
        if (train.size() == 0 || !train.hasBothClasses()) {
            throw new IllegalArgumentException("the training split needs both classes, got " + train.positives()
                    + " COVID of " + train.size());
        }
        DjlEnvironment.configure();
        int dim = train.dimension();
        HeadArchitecture architecture = settings.architecture(dim);
        int batchSize = Math.min(settings.batchSize(), train.size());
        CyclicLearningRate schedule = settings.learningRate()
                .inIterations(EpochLoop.iterationsPerEpoch(train.size(), batchSize));
        FeatureStatistics statistics = FeatureStatistics.of(train.features());
        // Dropout masks come from the engine's generator: seeded per run so that a run is reproducible.
        Engine.getEngine(ENGINE).setRandomSeed((int) settings.seed());
        long start = System.nanoTime();
        try (ReleasableAdam optimizer = ReleasableAdam.of(Optimizer.adam().optLearningRateTracker(schedule.tracker())
                .optWeightDecays((float) settings.weightDecay()));
             Model model = HeadBlocks.newModel(architecture);
             Trainer trainer = model.newTrainer(trainingConfig(settings, optimizer))) {
            trainer.initialize(new Shape(batchSize, dim));
            HeadBlocks.setFeatureStandardization(model.getBlock(), statistics.mean(), statistics.std());
            EarlyStopping<byte[]> earlyStopping = new EarlyStopping<>(settings.earlyStopPatience(),
                    () -> HeadBlocks.weightsBytes(model.getBlock()));
            EpochLoop.Outcome outcome = new EpochLoop(trainer, batchSize, SCORING_BATCH, schedule).run(rows(train),
                    rows(validation), settings.epochs(), settings.seed(),
                    List.of(EpochLoop.reporting(observer), earlyStopping));
            byte[] weights = earlyStopping.bestWeights().orElseGet(() -> HeadBlocks.weightsBytes(model.getBlock()));
            int epochOfWeights = earlyStopping.bestWeights().isPresent() ? earlyStopping.bestEpoch()
                    : outcome.epochs().size();
            return new TrainedHead(architecture, weights, outcome.epochs(), epochOfWeights, earlyStopping.stopped(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static DefaultTrainingConfig trainingConfig(HeadTrainingSettings settings, ReleasableAdam optimizer) {
        return new DefaultTrainingConfig(new BinaryCrossEntropyLoss())
                .optInitializer(new SeededInitializer(settings.seed()), Parameter.Type.WEIGHT)
                .optOptimizer(optimizer);
    }

    /** Feature vectors as minibatches of shape [rows, dim]. */
    static EpochLoop.Rows rows(LabelledVectors data) {
        return new EpochLoop.Rows() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public boolean covid(int row) {
                return data.covid()[row];
            }

            @Override
            public NDArray batch(NDManager manager, int[] rows) {
                int dim = data.dimension();
                float[] x = new float[rows.length * dim];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(data.features()[rows[i]], 0, x, i * dim, dim);
                }
                return manager.create(x, new Shape(rows.length, dim));
            }
        };
    }
}
