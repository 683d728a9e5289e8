package io.scanstream.inference.domain;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.head.TestHeadWeights;
import org.junit.jupiter.api.Test;

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
        StandInBackbone in = standIn(images -> new float[images.size()][DIM]);
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(ARCHITECTURE, 3)) {
            assertThat(batch.check(in, head)).isEmpty();
        }
        assertThat(in.calls).containsExactly("4@4", "1@1");
    }

    @Test
    void refusesANonFiniteEmbeddingNamingTheInput() {
        ValidationBatch batch = new ValidationBatch(3, List.of(4));
        batch.served(image(7));
        StandInBackbone nanOnSecond = standIn(images -> {
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
        try (ClassificationHead head = ClassificationHead.fromWeights(ARCHITECTURE,
                TestHeadWeights.nan(ARCHITECTURE))) {
            assertThat(batch.check(standIn(images -> new float[images.size()][DIM]), head))
                    .hasValueSatisfying(f -> {
                        assertThat(f.reason()).isEqualTo(ModelVersions.RefusalReason.NON_FINITE_OUTPUT);
                        assertThat(f.detail()).contains("probability (NaN)").contains("input 1 of 2");
                    });
        }
    }

    @Test
    void refusesAForwardPassThatThrowsAnErrorToo() {
        ValidationBatch batch = new ValidationBatch(2, List.of(2));
        assertThat(batch.check(standIn(images -> {
            throw new StackOverflowError("deep");
        }), null)).hasValueSatisfying(f -> {
            assertThat(f.reason()).isEqualTo(ModelVersions.RefusalReason.FORWARD_FAILED);
            assertThat(f.detail()).contains("StackOverflowError");
        });
    }

    private static GreyImage image(int fill) {
        byte[] pixels = new byte[224 * 224];
        java.util.Arrays.fill(pixels, (byte) fill);
        return new GreyImage(224, 224, pixels);
    }

    private static StandInBackbone standIn(Function<List<GreyImage>, float[][]> features) {
        return new StandInBackbone("stand-in:000000000000", DIM, false, features);
    }
}
