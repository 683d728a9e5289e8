package io.scanstream.inference.domain;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.head.HeadBlocks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The inputs a new version must pass: a bounded ring of served inputs, topped up with the same synthetic scans. */
class ValidationBatchTest {

    private static final int DIM = 8;
    private static final HeadArchitecture ARCHITECTURE = new HeadArchitecture(DIM, List.of(4), 0.0, 2);

    @Test
    void keepsOnlyTheLastServedInputsUpToItsSizeThenTopsUpWithSyntheticScans() {
        ValidationBatch batch = new ValidationBatch(3, List.of(1, 2, 4));
        List<GreyImage> synthetic = ValidationBatch.synthetic(3);
        assertThat(batch.images()).containsExactlyElementsOf(synthetic);

        GreyImage a = image(1), b = image(2), c = image(3), d = image(4);
        batch.served(a);
        assertThat(batch.images()).containsExactly(a, synthetic.get(0), synthetic.get(1));
        batch.served(b);
        batch.served(c);
        batch.served(d);
        assertThat(batch.servedCount()).isEqualTo(3);
        assertThat(batch.images()).as("the oldest served input dropped out").containsExactly(b, c, d);
    }

    @Test
    void theSyntheticScansAreTheSameModelInputsOnEveryReplicaAndRun() {
        List<GreyImage> first = ValidationBatch.synthetic(4);
        List<GreyImage> again = ValidationBatch.synthetic(4);
        assertThat(first).hasSize(4);
        for (int i = 0; i < first.size(); i++) {
            assertThat(ScanPreprocessor.modelInputProblem(first.get(i))).isEmpty();
            assertThat(first.get(i).pixels()).isEqualTo(again.get(i).pixels());
        }
        assertThat(first.get(0).pixels()).isNotEqualTo(first.get(1).pixels());
    }

    @Test
    void refusesASizeBelowOneOrBadBuckets() {
        assertThatThrownBy(() -> new ValidationBatch(0, List.of(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validation-batch-size");
        assertThatThrownBy(() -> new ValidationBatch(2, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ValidationBatch(2, List.of(0, 4))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void passesFiniteOutputsAndRunsInChunksPaddedToTheBuckets() {
        ValidationBatch batch = new ValidationBatch(5, List.of(1, 2, 4));
        Stand in = new Stand(images -> new float[images.size()][DIM]);
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, 3)) {
            assertThat(batch.check(in, head)).isEmpty();
        }
        assertThat(in.calls).containsExactly("4@4", "1@1");
    }

    @Test
    void refusesANonFiniteEmbeddingNamingTheInput() {
        ValidationBatch batch = new ValidationBatch(3, List.of(4));
        batch.served(image(7));
        Stand nanOnSecond = new Stand(images -> {
            float[][] out = new float[images.size()][DIM];
            out[1][0] = Float.POSITIVE_INFINITY;
            return out;
        });
        assertThat(batch.check(nanOnSecond, null)).hasValueSatisfying(f -> {
            assertThat(f.reason()).isEqualTo(ModelVersions.RefusalReason.NON_FINITE_OUTPUT);
            assertThat(f.detail()).contains("embedding").contains("input 2 of 3").contains("synthetic scan 0");
        });
    }

    @Test
    void refusesAHeadWhoseProbabilitiesAreNaN() {
        ValidationBatch batch = new ValidationBatch(2, List.of(2));
        try (ClassificationHead head = ClassificationHead.fromWeights(ARCHITECTURE, nanWeights())) {
            assertThat(batch.check(new Stand(images -> new float[images.size()][DIM]), head))
                    .hasValueSatisfying(f -> {
                        assertThat(f.reason()).isEqualTo(ModelVersions.RefusalReason.NON_FINITE_OUTPUT);
                        assertThat(f.detail()).contains("probability (NaN)").contains("input 1 of 2");
                    });
        }
    }

    @Test
    void refusesAForwardPassThatThrowsAnErrorToo() {
        ValidationBatch batch = new ValidationBatch(2, List.of(2));
        assertThat(batch.check(new Stand(images -> {
            throw new StackOverflowError("deep");
        }), null)).hasValueSatisfying(f -> {
            assertThat(f.reason()).isEqualTo(ModelVersions.RefusalReason.FORWARD_FAILED);
            assertThat(f.detail()).contains("StackOverflowError");
        });
    }

    /** Head weights of the right shapes, every one NaN. */
    static byte[] nanWeights() {
        try (Model model = HeadBlocks.newModel(ARCHITECTURE)) {
            Block block = model.getBlock();
            HeadBlocks.initialise(block, ARCHITECTURE, model.getNDManager(), 1);
            for (Pair<String, Parameter> p : block.getParameters()) {
                p.getValue().getArray().muli(Float.NaN);
            }
            return HeadBlocks.weightsBytes(block);
        }
    }

    private static GreyImage image(int fill) {
        byte[] pixels = new byte[224 * 224];
        java.util.Arrays.fill(pixels, (byte) fill);
        return new GreyImage(224, 224, pixels);
    }

    /** A stand-in backbone whose features a function gives; it records each call as images@padTo. */
    private static final class Stand implements FeatureExtractor {
        final List<String> calls = new ArrayList<>();
        private final Function<List<GreyImage>, float[][]> features;

        Stand(Function<List<GreyImage>, float[][]> features) {
            this.features = features;
        }

        @Override
        public String backboneId() {
            return "stand-in:000000000000";
        }

        @Override
        public boolean pretrained() {
            return false;
        }

        @Override
        public int featureDim() {
            return DIM;
        }

        @Override
        public String engine() {
            return "stub";
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public float[][] embed(List<GreyImage> images, int padTo) {
            calls.add(images.size() + "@" + padTo);
            return features.apply(images);
        }

        @Override
        public void close() {
        }
    }
}
