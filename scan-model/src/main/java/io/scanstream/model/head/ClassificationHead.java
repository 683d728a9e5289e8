package io.scanstream.model.head;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.DjlEnvironment;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;

/**
 * A trained head ready to score embeddings: P(COVID) = softmax(logits)[1]. Owns its DJL model (close it); each call's
 * arrays live in a sub-manager closed before it returns. Not thread-safe: inference scores from its one batching
 * thread, and a hot swap replaces the whole object.
 */
public final class ClassificationHead implements AutoCloseable {

    static final int COVID_CLASS = 1;

    private final HeadArchitecture architecture;
    private final Model model;

    private ClassificationHead(HeadArchitecture architecture, Model model) {
        this.architecture = architecture;
        this.model = model;
    }

    /**
     * @throws ArtifactIntegrityException when the weights do not match the metadata's sha256
     * @throws IllegalArgumentException   when the weights are not a head of the declared architecture
     */
    public static ClassificationHead fromArtifact(ModelArtifact artifact) {
        if (!artifact.integrityVerified()) {
            throw new ArtifactIntegrityException("model " + artifact.metadata().modelName() + " version "
                    + artifact.metadata().version() + ": weights sha256 " + Sha256.hex(artifact.weights())
                    + " differs from the declared " + artifact.metadata().weightsSha256() + "; refusing to load");
        }
        return fromWeights(artifact.metadata().head(), artifact.weights());
    }

    /**
     * @param weights as {@link #weightsBytes()} or {@link HeadBlocks#weightsBytes} wrote them
     * @throws IllegalArgumentException when the weights are not a head of this architecture
     */
    public static ClassificationHead fromWeights(HeadArchitecture architecture, byte[] weights) {
        // Shapes and declared lengths first, in plain Java: DJL allocates what the bytes declare before it checks.
        HeadWeightsCheck.check(architecture, weights);
        DjlEnvironment.configure();
        Model model = Model.newInstance("head-" + architecture.describe(), HeadBlocks.ENGINE);
        try {
            Block head = HeadBlocks.build(architecture);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
                head.loadParameters(model.getNDManager(), in);
                if (in.read() != -1) {
                    throw new MalformedModelException("trailing bytes after the parameters");
                }
            } catch (IOException | MalformedModelException | EngineException e) {
                throw new IllegalArgumentException("weights are not a head " + architecture.describe() + ": "
                        + e.getMessage(), e);
            }
            requireShapes(head, architecture);
            model.setBlock(head);
            return new ClassificationHead(architecture, model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** An untrained head with seeded weights: a baseline, and what tests and benchmarks score with. */
    public static ClassificationHead randomlyInitialised(HeadArchitecture architecture, long seed) {
        DjlEnvironment.configure();
        Model model = Model.newInstance("head-" + architecture.describe(), HeadBlocks.ENGINE);
        try {
            Block head = HeadBlocks.build(architecture);
            HeadBlocks.initialise(head, architecture, model.getNDManager(), seed);
            head.freezeParameters(true); // inference only: no autograd graph
            model.setBlock(head);
            return new ClassificationHead(architecture, model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** P(COVID) for each embedding, in order; each row has {@code architecture().inputDim()} values. */
    public double[] probabilities(float[][] embeddings) {
        if (embeddings.length == 0) {
            return new double[0];
        }
        int dim = architecture.inputDim();
        float[] flat = new float[embeddings.length * dim];
        for (int i = 0; i < embeddings.length; i++) {
            if (embeddings[i].length != dim) {
                throw new IllegalArgumentException("embedding " + i + " has " + embeddings[i].length
                        + " values, the head expects " + dim);
            }
            System.arraycopy(embeddings[i], 0, flat, i * dim, dim);
        }
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDArray input = batch.create(flat, new Shape(embeddings.length, dim));
            NDArray logits = model.getBlock()
                    .forward(new ParameterStore(batch, false), new NDList(input), false)
                    .singletonOrThrow();
            float[] covid = logits.softmax(1).get(new NDIndex(":, {}", COVID_CLASS)).toFloatArray();
            double[] probabilities = new double[covid.length];
            for (int i = 0; i < covid.length; i++) {
                probabilities[i] = covid[i];
            }
            return probabilities;
        }
    }

    /**
     * The COVID log-odds, {@code logit[1] - logit[0]} (P(COVID) is its sigmoid), of {@code [N, inputDim]} features
     * as one {@code [N]} array on the features' manager, differentiable: what Grad-CAM runs backwards from. The
     * head's own parameters are frozen or not as loaded; gradients flow to the features either way.
     */
    public NDArray logOdds(NDArray features) {
        NDArray logits = model.getBlock()
                .forward(new ParameterStore(features.getManager(), false), new NDList(features), false)
                .singletonOrThrow();
        return logits.get(new NDIndex(":, {}", COVID_CLASS)).sub(logits.get(new NDIndex(":, {}", 1 - COVID_CLASS)));
    }

    /** The weights as the model artifact carries them. */
    public byte[] weightsBytes() {
        return HeadBlocks.weightsBytes(model.getBlock());
    }

    public HeadArchitecture architecture() {
        return architecture;
    }

    @Override
    public void close() {
        model.close();
    }

    /** Loading takes whatever shapes the bytes hold; a head of another architecture must not pass. */
    private static void requireShapes(Block head, HeadArchitecture architecture) {
        List<Shape> expected = HeadBlocks.parameterShapes(architecture);
        List<Shape> actual = head.getParameters().values().stream().map(Parameter::getShape).toList();
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException("weights hold parameter shapes " + actual + ", head "
                    + architecture.describe() + " needs " + expected);
        }
    }
}
