package io.scanstream.model.head;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.stream.DoubleStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClassificationHeadTest {

    /** Small but of the seed's shape: four linear layers, dropout between. */
    private static final HeadArchitecture ARCHITECTURE = new HeadArchitecture(16, List.of(32, 16, 8), 0.5, 2);
    private static final float[][] EMBEDDINGS = embeddings(5, 16, 3);

    @Test
    void weightsSavedAndLoadedBackGiveIdenticalProbabilities() {
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            double[] probabilities = head.probabilities(EMBEDDINGS);
            byte[] weights = head.weightsBytes();

            try (ClassificationHead loaded = ClassificationHead.fromWeights(ARCHITECTURE, weights)) {
                assertThat(loaded.probabilities(EMBEDDINGS)).isEqualTo(probabilities);
                assertThat(loaded.weightsBytes()).isEqualTo(weights);
                assertThat(loaded.architecture()).isEqualTo(ARCHITECTURE);
            }
            assertThat(DoubleStream.of(probabilities)).allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
            assertThat(head.probabilities(EMBEDDINGS)).as("dropout inactive at inference").isEqualTo(probabilities);
        }
    }

    @Test
    void loadsFromAnArtifactWhoseWeightsMatchTheirSha256() {
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            byte[] weights = head.weightsBytes();
            ModelArtifact artifact = artifact(weights, Sha256.hex(weights));

            try (ClassificationHead loaded = ClassificationHead.fromArtifact(artifact)) {
                assertThat(loaded.probabilities(EMBEDDINGS)).isEqualTo(head.probabilities(EMBEDDINGS));
            }
        }
    }

    @Test
    void refusesAnArtifactWhoseWeightsDoNotMatchTheirSha256() {
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            byte[] weights = head.weightsBytes();
            String declared = Sha256.hex(weights);
            byte[] tampered = weights.clone();
            tampered[tampered.length - 1] ^= 1;

            assertThatThrownBy(() -> ClassificationHead.fromArtifact(artifact(tampered, declared)))
                    .isInstanceOf(ArtifactIntegrityException.class)
                    .hasMessageContaining("covid-head").hasMessageContaining("v7")
                    .hasMessageContaining(declared).hasMessageContaining("refusing");
        }
    }

    @Test
    void refusesWeightsDeclaringAHugeLengthBeforeDjlAllocatesIt() {
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            byte[] weights = head.weightsBytes();
            // The last array is the output bias (2 floats): its declared length is the int before its 8 data bytes.
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(weights);
            assertThat(buffer.getInt(weights.length - 12)).isEqualTo(8);
            buffer.putInt(weights.length - 12, Integer.MAX_VALUE - 16); // ~2 GiB of native memory, if believed

            assertThatThrownBy(() -> ClassificationHead.fromWeights(ARCHITECTURE, weights))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("parameter 9").hasMessageContaining("declares " + (Integer.MAX_VALUE - 16));
        }
    }

    @Test
    void refusesWeightsWhoseShapeDiffersFromTheArchitectureBeforeLoading() {
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            byte[] weights = head.weightsBytes();
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(weights);
            // shape (2) of the output bias: its one dimension is a long shortly before the declared length
            int dimension = weights.length - 12 - 8;
            while (buffer.getLong(dimension) != 2) {
                dimension--;
            }
            assertThat(dimension).isGreaterThan(weights.length - 12 - 8 - 32);
            buffer.putLong(dimension, 1L << 40);

            assertThatThrownBy(() -> ClassificationHead.fromWeights(ARCHITECTURE, weights))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 9: shape");
        }
    }

    @Test
    void refusesWeightsOfAnotherArchitecture() {
        HeadArchitecture wider = HeadArchitecture.standard(32, 0.5);
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            assertThatThrownBy(() -> ClassificationHead.fromWeights(wider, head.weightsBytes()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("32-512-256-128-2");
        }
    }

    @Test
    void refusesBytesThatAreNotWeights() {
        assertThatThrownBy(() -> ClassificationHead.fromWeights(ARCHITECTURE, new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void probabilityOfCovidIsTheSoftmaxOfTheSecondLogit() {
        // last layer: zero weights, biases (0, ln 3): logits (0, ln 3) for every input, P(COVID) = 3 / (1 + 3)
        byte[] weights;
        try (Model model = HeadBlocks.newModel(ARCHITECTURE)) {
            Block block = model.getBlock();
            HeadBlocks.initialise(block, ARCHITECTURE, model.getNDManager(), Fixtures.SEED);
            List<Parameter> parameters = block.getParameters().values();
            parameters.get(parameters.size() - 2).getArray().set(FloatBuffer.wrap(new float[2 * 8]));
            parameters.get(parameters.size() - 1).getArray()
                    .set(FloatBuffer.wrap(new float[] {0, (float) Math.log(3)}));
            weights = HeadBlocks.weightsBytes(block);
        }

        try (ClassificationHead head = ClassificationHead.fromWeights(ARCHITECTURE, weights)) {
            assertThat(DoubleStream.of(head.probabilities(EMBEDDINGS)))
                    .allSatisfy(p -> assertThat(p).isCloseTo(0.75, within(1e-6)));
        }
    }

    @Test
    void featureStandardisationTravelsWithTheWeights() {
        float[] mean = new float[16];
        float[] std = new float[16];
        for (int i = 0; i < 16; i++) {
            mean[i] = i - 8;
            std[i] = 0.5f + i;
        }
        byte[] standardising = headWeights(mean, std);
        byte[] identity = headWeights(null, null);
        float[][] standardised = new float[EMBEDDINGS.length][16];
        for (int r = 0; r < EMBEDDINGS.length; r++) {
            for (int i = 0; i < 16; i++) {
                standardised[r][i] = (EMBEDDINGS[r][i] - mean[i]) / std[i];
            }
        }

        try (ClassificationHead withStatistics = ClassificationHead.fromWeights(ARCHITECTURE, standardising);
             ClassificationHead plain = ClassificationHead.fromWeights(ARCHITECTURE, identity)) {
            double[] expected = plain.probabilities(standardised);
            double[] actual = withStatistics.probabilities(EMBEDDINGS);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], within(1e-6));
            }
            assertThat(actual).isNotEqualTo(plain.probabilities(EMBEDDINGS));
        }
    }

    @Test
    void constantFeaturesAreCentredRatherThanDividedByZero() {
        float[] mean = EMBEDDINGS[0].clone();
        byte[] weights = headWeights(mean, new float[16]);

        try (ClassificationHead head = ClassificationHead.fromWeights(ARCHITECTURE, weights);
             ClassificationHead plain = ClassificationHead.fromWeights(ARCHITECTURE, headWeights(null, null))) {
            assertThat(head.probabilities(new float[][] {EMBEDDINGS[0]}))
                    .isEqualTo(plain.probabilities(new float[][] {new float[16]}));
        }
    }

    @Test
    void refusesEmbeddingsOfAnotherWidth() {
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, Fixtures.SEED)) {
            assertThatThrownBy(() -> head.probabilities(new float[][] {new float[15]}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expects 16");
            assertThat(head.probabilities(new float[0][])).isEmpty();
        }
    }

    private static byte[] headWeights(float[] mean, float[] std) {
        try (Model model = HeadBlocks.newModel(ARCHITECTURE)) {
            Block block = model.getBlock();
            HeadBlocks.initialise(block, ARCHITECTURE, model.getNDManager(), Fixtures.SEED);
            if (mean != null) {
                HeadBlocks.setFeatureStandardization(block, mean, std);
            }
            return HeadBlocks.weightsBytes(block);
        }
    }

    private static ModelArtifact artifact(byte[] weights, String sha256) {
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.7, 0.8, 0.5,
                new ModelMetrics.ConfusionMatrix(7, 2, 8, 3), 100, 20);
        ModelMetadata metadata = new ModelMetadata("covid-head", "v7",
                OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.UTC), "mobilenet_v2:5f7ccb5c6f49",
                ARCHITECTURE, metrics, sha256, null, null);
        return new ModelArtifact(metadata, weights);
    }

    static float[][] embeddings(int rows, int dim, long seed) {
        Random random = new Random(seed);
        float[][] embeddings = new float[rows][dim];
        for (float[] row : embeddings) {
            for (int i = 0; i < dim; i++) {
                row[i] = (float) (random.nextGaussian() * 3 + 1);
            }
        }
        return embeddings;
    }
}
