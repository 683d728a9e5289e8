package io.scanstream.training.domain;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.PreprocessingSpec;
import io.scanstream.core.integrity.Sha256;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of the version history: newest record serves, what a rollback restores, which backbones stay. */
class ModelHistoryTest {

    private static final String BOOTSTRAP = "mobilenet_v2:random";
    private static final OffsetDateTime T = OffsetDateTime.parse("2026-12-01T10:00:00Z");

    @Test
    void theNewestRecordServesAndListsNewestFirst() {
        ModelHistory history = ModelHistory.of(List.of(onBootstrap("v1", 1), onBootstrap("v2", 2)));

        assertThat(history.newest().orElseThrow().metadata().version()).isEqualTo("v2");
        assertThat(history.servingVersion()).contains("v2");
        assertThat(history.newestFirst()).extracting(a -> a.metadata().version()).containsExactly("v2", "v1");
        assertThat(history.serving(history.find("v2").orElseThrow())).isTrue();
        assertThat(history.serving(history.find("v1").orElseThrow())).isFalse();
        assertThat(ModelHistory.empty().servingVersion()).isEmpty();
    }

    @Test
    void aRollbackRecordMakesTheRestoredVersionServeAndTheChampion() {
        ModelArtifact v1 = onBootstrap("v1", 1);
        ModelHistory before = ModelHistory.of(List.of(v1, onBootstrap("v2", 2)));
        ModelHistory.Restore restore = before.restore("v1", BOOTSTRAP, ref -> true);
        assertThat(restore).isInstanceOf(ModelHistory.Restorable.class);

        ModelArtifact rollback = ModelHistory.rollback(((ModelHistory.Restorable) restore).original(), "v3",
                T.plusHours(3));
        ModelHistory after = ModelHistory.of(List.of(v1, onBootstrap("v2", 2), rollback));

        ModelArtifact champion = after.newest().orElseThrow();
        assertThat(champion.metadata().version()).isEqualTo("v3");
        assertThat(champion.metadata().rollbackOf()).isEqualTo("v1");
        assertThat(champion.weights()).isEqualTo(v1.weights());
        assertThat(champion.metadata().trainedOn()).isEqualTo(v1.metadata().trainedOn());
        assertThat(after.servingVersion()).contains("v1");
        assertThat(after.serving(v1)).as("predictions carry v1").isTrue();
        assertThat(after.serving(rollback)).isFalse();
        assertThat(after.serving(after.find("v2").orElseThrow())).isFalse();
    }

    @Test
    void refusesUnknownVersionsAndTheOneInService() {
        ModelHistory history = ModelHistory.of(List.of(onBootstrap("v1", 1), onBootstrap("v2", 2)));

        assertThat(history.restore("v9", BOOTSTRAP, ref -> true)).isInstanceOf(ModelHistory.Unknown.class);
        assertThat(history.restore(" ", BOOTSTRAP, ref -> true)).isInstanceOf(ModelHistory.Unknown.class);
        assertThat(history.restore("v2", BOOTSTRAP, ref -> true))
                .isInstanceOfSatisfying(ModelHistory.NotRestorable.class,
                        n -> assertThat(n.detail()).contains("in service already"));
    }

    @Test
    void aRollbackRecordResolvesToTheVersionItRestored() {
        ModelArtifact v1 = onBootstrap("v1", 1);
        ModelArtifact v2 = onBootstrap("v2", 2);
        ModelArtifact backToV1 = ModelHistory.rollback(v1, "v3", T.plusHours(3));
        ModelArtifact v4 = onBootstrap("v4", 4);
        ModelHistory history = ModelHistory.of(List.of(v1, v2, backToV1, v4));

        assertThat(history.restore("v3", BOOTSTRAP, ref -> true))
                .isInstanceOfSatisfying(ModelHistory.Restorable.class,
                        r -> assertThat(r.original().metadata().version()).isEqualTo("v1"));
    }

    @Test
    void aVersionWhosePublishedBackboneIsRetiredOrWhoseBootstrapChangedIsNotRestorable() {
        ModelArtifact fineTuned = onPublished("v1", 1, "mobilenet_v2:aaaa1111");
        ModelArtifact oldBootstrap = onBackbone("v2", 2, "mobilenet_v2:0ld0ld00", null);
        ModelHistory history = ModelHistory.of(List.of(fineTuned, oldBootstrap, onBootstrap("v3", 3)));

        assertThat(history.restore("v1", BOOTSTRAP, ref -> false))
                .isInstanceOfSatisfying(ModelHistory.NotRestorable.class,
                        n -> assertThat(n.detail()).contains("mobilenet_v2:aaaa1111").contains("retired"));
        assertThat(history.restore("v1", BOOTSTRAP, ref -> ref.id().equals("mobilenet_v2:aaaa1111")))
                .isInstanceOf(ModelHistory.Restorable.class);
        assertThat(history.restore("v2", BOOTSTRAP, ref -> true))
                .isInstanceOfSatisfying(ModelHistory.NotRestorable.class,
                        n -> assertThat(n.detail()).contains("mobilenet_v2:0ld0ld00"));
    }

    @Test
    void theModeSaysWhichVersionBroughtItsBackbone() {
        ModelArtifact fineTuned = onPublished("v2", 2, "mobilenet_v2:aaaa1111");
        ModelArtifact headOnIt = onPublished("v3", 3, "mobilenet_v2:aaaa1111");
        ModelArtifact backToV2 = ModelHistory.rollback(fineTuned, "v4", T.plusHours(4));
        ModelHistory history = ModelHistory.of(List.of(onBootstrap("v1", 1), fineTuned, headOnIt, backToV2));

        assertThat(history.newestFirst()).extracting(a -> history.mode(a).name())
                .containsExactly("FULL_NETWORK", "HEAD", "FULL_NETWORK", "HEAD");
    }

    @Test
    void keepsTheBackbonesOfTheNewestVersionsAndOfTheOneInService() {
        ModelArtifact a = onPublished("v1", 1, "mobilenet_v2:aaaa1111");
        ModelArtifact b = onPublished("v2", 2, "mobilenet_v2:bbbb2222");
        ModelArtifact c = onPublished("v3", 3, "mobilenet_v2:cccc3333");
        ModelArtifact backToA = ModelHistory.rollback(a, "v4", T.plusHours(4));

        assertThat(ModelHistory.of(List.of(a, b, c)).backbonesToKeep(2))
                .containsExactlyInAnyOrder("mobilenet_v2:bbbb2222", "mobilenet_v2:cccc3333");
        assertThat(ModelHistory.of(List.of(a, b, c, backToA)).backbonesToKeep(1))
                .isEqualTo(Set.of("mobilenet_v2:aaaa1111"));
        assertThatThrownBy(() -> ModelHistory.empty().backbonesToKeep(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leavesOutRecordsWhoseWeightsDoNotMatchTheirSha256() {
        ModelArtifact good = onBootstrap("v1", 1);
        ModelArtifact damaged = new ModelArtifact(onBootstrap("v2", 2).metadata(), new byte[] {9, 9, 9});

        ModelHistory history = ModelHistory.of(List.of(good, damaged));

        assertThat(history.versions()).extracting(x -> x.metadata().version()).containsExactly("v1");
        assertThat(history.servingVersion()).contains("v1");
    }

    private static ModelArtifact onBootstrap(String version, int seed) {
        return onBackbone(version, seed, BOOTSTRAP, null);
    }

    private static ModelArtifact onPublished(String version, int seed, String backboneId) {
        return onBackbone(version, seed, backboneId, new BackboneRef(backboneId, "mobilenet_v2", "final",
                "a".repeat(64), 1000, BackboneRef.Source.PUBLISHED));
    }

    private static ModelArtifact onBackbone(String version, int seed, String backboneId, BackboneRef ref) {
        byte[] weights = new byte[64];
        new java.util.Random(seed).nextBytes(weights);
        return new ModelArtifact(new ModelMetadata("covid-head", version, T.plusHours(seed), backboneId,
                HeadArchitecture.standard(1280, 0.2), null, Sha256.hex(weights), "run-" + seed, null, null, null,
                ref, ref == null ? null : PreprocessingSpec.STANDARD), weights);
    }
}
