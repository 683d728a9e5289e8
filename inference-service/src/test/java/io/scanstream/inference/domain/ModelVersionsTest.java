package io.scanstream.inference.domain;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.head.ClassificationHead;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ModelVersionsTest {

    private static final String BACKBONE = "resnet34:random";
    private final List<String> swaps = new ArrayList<>();
    private final ModelVersions versions = new ModelVersions("covid-head", BACKBONE, 512,
            new ModelVersions.Observer() {
                @Override
                public void swapped(String from, String to, OffsetDateTime createdAt) {
                    swaps.add(from + "->" + to);
                }
            });

    @AfterEach
    void close() {
        versions.close();
    }

    @Test
    void servesNothingUntilAVersionIsAccepted() {
        assertThat(versions.forNextBatch()).isEmpty();
        assertThat(versions.servingVersion()).isEmpty();
    }

    @Test
    void swapsOnlyWhenTheBatchThreadAsksBetweenBatches() {
        assertThat(versions.offer(artifact("v1", BACKBONE, 512, 1))).isInstanceOf(ModelVersions.Accepted.class);
        assertThat(swaps).isEmpty(); // accepted, not yet in a batch
        assertThat(versions.forNextBatch()).hasValueSatisfying(h -> assertThat(h.version()).isEqualTo("v1"));
        assertThat(versions.forNextBatch()).hasValueSatisfying(h -> assertThat(h.version()).isEqualTo("v1"));
        assertThat(swaps).containsExactly("null->v1");
    }

    @Test
    void theLatestAcceptedVersionWinsWhenSeveralArriveBetweenBatches() {
        versions.offer(artifact("v1", BACKBONE, 512, 1));
        versions.offer(artifact("v2", BACKBONE, 512, 2));
        assertThat(versions.forNextBatch()).hasValueSatisfying(h -> assertThat(h.version()).isEqualTo("v2"));
        assertThat(swaps).containsExactly("null->v2");
    }

    @Test
    void ignoresARepublishOfTheServingVersionAndModelsOfOtherNames() {
        versions.offer(artifact("v1", BACKBONE, 512, 1));
        assertThat(versions.offer(artifact("v1", BACKBONE, 512, 1))).isInstanceOf(ModelVersions.AlreadyServing.class);
        ModelArtifact other = artifact("x1", BACKBONE, 512, 3);
        ModelArtifact renamed = new ModelArtifact(new ModelMetadata("other-model", "x1", other.metadata().createdAt(),
                BACKBONE, other.metadata().head(), null, other.metadata().weightsSha256(), null, null), other.weights());
        assertThat(versions.offer(renamed)).isInstanceOfSatisfying(ModelVersions.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(ModelVersions.RefusalReason.OTHER_MODEL));
    }

    @Test
    void refusesWrongHashBackboneOrWidthAndKeepsTheServingVersion() {
        versions.offer(artifact("v1", BACKBONE, 512, 1));
        versions.forNextBatch();
        ModelArtifact good = artifact("v2", BACKBONE, 512, 2);
        byte[] tampered = good.weights().clone();
        tampered[0] ^= 1;
        assertThat(refusal(new ModelArtifact(good.metadata(), tampered))).isEqualTo(ModelVersions.RefusalReason.SHA256_MISMATCH);
        assertThat(refusal(artifact("v3", "vgg16:random", 512, 3))).isEqualTo(ModelVersions.RefusalReason.BACKBONE_MISMATCH);
        assertThat(refusal(artifact("v4", BACKBONE, 1280, 4))).isEqualTo(ModelVersions.RefusalReason.SHAPE_MISMATCH);
        assertThat(versions.forNextBatch()).hasValueSatisfying(h -> assertThat(h.version()).isEqualTo("v1"));
    }

    private ModelVersions.RefusalReason refusal(ModelArtifact artifact) {
        ModelVersions.Verdict verdict = versions.offer(artifact);
        assertThat(verdict).isInstanceOf(ModelVersions.Refused.class);
        return ((ModelVersions.Refused) verdict).reason();
    }

    private static ModelArtifact artifact(String version, String backbone, int inputDim, long seed) {
        HeadArchitecture architecture = new HeadArchitecture(inputDim, List.of(64, 32, 16), 0.1, 2);
        byte[] weights;
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, seed)) {
            weights = head.weightsBytes();
        }
        return new ModelArtifact(new ModelMetadata("covid-head", version, OffsetDateTime.now(), backbone, architecture,
                null, Sha256.hex(weights), null, null), weights);
    }
}
