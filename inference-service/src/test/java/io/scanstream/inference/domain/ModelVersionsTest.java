package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.contract.BackboneChunk;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.head.TestHeadWeights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The networks inference serves, with stand-in backbones (this is about which network serves when, not about
 * forward passes: the service tests run real ones through the broker).
 */
class ModelVersionsTest {

    private static final String BOOTSTRAP = "resnet34:random";
    private static final int DIM = 512;

    @TempDir
    Path cache;
    private final List<String> swaps = new ArrayList<>();
    private final List<ModelVersions.RefusalReason> refusals = new ArrayList<>();
    private final List<StandInBackbone> loaded = new ArrayList<>();
    private int mostResident;
    private BackboneLibrary library;
    private ModelVersions versions;

    private ModelVersions versions() throws Exception {
        if (versions == null) {
            library = new BackboneLibrary(cache);
            // fallbacks load synchronously here, on the thread that reports the withdrawal
            versions = new ModelVersions("covid-head", new StubLoader(), library, new ModelVersions.Observer() {
                @Override
                public void swapped(String from, String to, OffsetDateTime createdAt, String backboneId) {
                    swaps.add(from + "->" + to + "@" + backboneId);
                }

                @Override
                public void refused(ModelVersions.RefusalReason reason) {
                    refusals.add(reason);
                }
            }, new ValidationBatch(4, List.of(1, 2, 4)), Runnable::run);
        }
        return versions;
    }

    @AfterEach
    void close() {
        if (versions != null) {
            versions.close();
        }
    }

    @Test
    void servesTheBootstrapBackboneWithoutAHeadUntilAVersionIsAccepted() throws Exception {
        ServingNetwork network = versions().forNextBatch();

        assertThat(network.backboneId()).isEqualTo(BOOTSTRAP);
        assertThat(network.head()).isEmpty();
        assertThat(versions.servingVersion()).isEmpty();
    }

    @Test
    void swapsOnlyWhenTheBatchThreadAsksBetweenBatches() throws Exception {
        assertThat(versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null))).isInstanceOf(ModelVersions.Accepted.class);
        assertThat(swaps).isEmpty(); // accepted, not yet in a batch
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(swaps).containsExactly("null->v1@" + BOOTSTRAP);
        assertThat(loaded).hasSize(1); // the bootstrap backbone is shared, not loaded again
    }

    @Test
    void theLatestAcceptedVersionWinsWhenSeveralArriveBetweenBatches() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.offer(artifact("v2", BOOTSTRAP, DIM, 2, null));
        assertThat(version(versions.forNextBatch())).isEqualTo("v2");
        assertThat(swaps).containsExactly("null->v2@" + BOOTSTRAP);
    }

    @Test
    void replayingV1V2AndARollbackToV1EndsServingV1sWeightsUnderV1sId() throws Exception {
        ModelArtifact v1 = artifact("v1", BOOTSTRAP, DIM, 1, null);
        versions().offer(v1);
        versions.offer(artifact("v2", BOOTSTRAP, DIM, 2, null));
        ModelArtifact rollback = new ModelArtifact(v1.metadata().asRollback("v3", OffsetDateTime.now()), v1.weights());
        assertThat(versions.offer(rollback)).isInstanceOf(ModelVersions.Accepted.class);

        ServingNetwork network = versions.forNextBatch();
        assertThat(version(network)).as("predictions carry the restored version").isEqualTo("v1");
        assertThat(network.head().orElseThrow().metadata().version()).isEqualTo("v3");
        assertThat(versions.servingVersion()).contains("v1");
        assertThat(versions.offer(rollback)).as("the record is not loaded twice")
                .isInstanceOf(ModelVersions.AlreadyServing.class);
    }

    @Test
    void ignoresARepublishOfTheServingVersionAndModelsOfOtherNames() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        assertThat(versions.offer(artifact("v1", BOOTSTRAP, DIM, 1, null)))
                .isInstanceOf(ModelVersions.AlreadyServing.class);
        ModelArtifact other = artifact("x1", BOOTSTRAP, DIM, 3, null);
        ModelArtifact renamed = new ModelArtifact(new ModelMetadata("other-model", "x1", other.metadata().createdAt(),
                BOOTSTRAP, other.metadata().head(), null, other.metadata().weightsSha256(), null, null), other.weights());
        assertThat(versions.offer(renamed)).isInstanceOfSatisfying(ModelVersions.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(ModelVersions.RefusalReason.OTHER_MODEL));
        assertThat(refusals).isEmpty(); // another model's versions are not counted
    }

    @Test
    void refusesInvalidMetadataAndWeightsBeforeLoadingAnythingAndKeepsTheServingVersion() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        int loadedBefore = loaded.size();
        ModelArtifact good = artifact("v2", BOOTSTRAP, DIM, 2, null);
        ModelMetadata m = good.metadata();

        assertThat(refusal(withMetrics(good, metrics(2.0, 0.8)))).as("threshold 2.0")
                .isEqualTo(ModelVersions.RefusalReason.INVALID_METADATA);
        assertThat(refusal(withMetrics(good, metrics(0.5, Double.NaN)))).as("NaN AUC")
                .isEqualTo(ModelVersions.RefusalReason.INVALID_METADATA);
        assertThat(refusal(withMetrics(good, metrics(Double.POSITIVE_INFINITY, 0.8)))).as("infinite threshold")
                .isEqualTo(ModelVersions.RefusalReason.INVALID_METADATA);
        // weights of another architecture, their sha256 declared correctly: the sizes do not match the head's
        ModelArtifact narrower = artifact("v3", BOOTSTRAP, DIM / 2, 3, null);
        assertThat(refusal(new ModelArtifact(new ModelMetadata("covid-head", "v3", m.createdAt(), BOOTSTRAP, m.head(),
                null, narrower.metadata().weightsSha256(), null, null), narrower.weights()))).as("weights size mismatch")
                .isEqualTo(ModelVersions.RefusalReason.INVALID_METADATA);
        // the last array declares ~2 GiB (DJL would allocate that natively before reading); sha256 recomputed
        byte[] huge = good.weights().clone();
        java.nio.ByteBuffer.wrap(huge).putInt(huge.length - 12, Integer.MAX_VALUE - 16);
        assertThat(refusal(new ModelArtifact(new ModelMetadata("covid-head", "v4", m.createdAt(), BOOTSTRAP, m.head(),
                null, Sha256.hex(huge), null, null), huge))).as("huge declared length")
                .isEqualTo(ModelVersions.RefusalReason.INVALID_METADATA);
        // a width beyond the limit (the metadata's own check; HeadArchitecture refuses negative widths when parsed)
        HeadArchitecture tooWide = new HeadArchitecture(DIM, List.of(1 << 20), 0.1, 2);
        assertThat(refusal(new ModelArtifact(new ModelMetadata("covid-head", "v5", m.createdAt(), BOOTSTRAP, tooWide,
                null, m.weightsSha256(), null, null), good.weights()))).as("width beyond the limit")
                .isEqualTo(ModelVersions.RefusalReason.INVALID_METADATA);

        assertThat(loaded).as("no backbone loaded for an invalid version").hasSize(loadedBefore);
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(refusals).hasSize(6).containsOnly(ModelVersions.RefusalReason.INVALID_METADATA);
    }

    private static ModelMetrics metrics(double threshold, double auc) {
        return new ModelMetrics(List.of(), auc, 0.8, 0.8, 0.8, 0.8, threshold, null, 10, 4);
    }

    private static ModelArtifact withMetrics(ModelArtifact a, ModelMetrics metrics) {
        ModelMetadata m = a.metadata();
        return new ModelArtifact(new ModelMetadata(m.modelName(), m.version(), m.createdAt(), m.backboneId(), m.head(),
                metrics, m.weightsSha256(), m.trainingRunId(), m.reportUri()), a.weights());
    }

    @Test
    void refusesWrongHashBackboneOrWidthAndKeepsTheServingVersion() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        ModelArtifact good = artifact("v2", BOOTSTRAP, DIM, 2, null);
        byte[] tampered = good.weights().clone();
        tampered[0] ^= 1;
        assertThat(refusal(new ModelArtifact(good.metadata(), tampered)))
                .isEqualTo(ModelVersions.RefusalReason.SHA256_MISMATCH);
        assertThat(refusal(artifact("v3", "vgg16:random", DIM, 3, null)))
                .isEqualTo(ModelVersions.RefusalReason.BACKBONE_MISMATCH);
        assertThat(refusal(artifact("v4", BOOTSTRAP, 1280, 4, null))).isEqualTo(ModelVersions.RefusalReason.SHAPE_MISMATCH);
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(refusals).hasSize(3);
    }

    @Test
    void aVersionOnAPublishedBackboneWaitsForEveryChunkThenSwapsBackboneAndHeadTogether() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        byte[] weights = bytes(2_500_000, 7);
        BackboneManifest manifest = manifest("mobilenet_v2:aaaaaaaaaaaa", weights);
        List<byte[]> chunks = BackboneChunks.split(weights, manifest.chunkBytes());

        ModelVersions.Verdict early = versions.offer(artifact("v2", manifest.backboneId(), 1280, 2,
                manifest.reference()));
        assertThat(early).isInstanceOf(ModelVersions.AwaitingBackbone.class);
        library.chunk(new BackboneChunk(manifest.backboneId(), 0, chunks.get(0)));
        library.chunk(new BackboneChunk(manifest.backboneId(), 1, chunks.get(1)));
        assertThat(version(versions.forNextBatch())).isEqualTo("v1"); // a chunk and the manifest to come: v1 serves
        library.chunk(new BackboneChunk(manifest.backboneId(), 2, chunks.get(2)));
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        library.manifest(manifest);

        ServingNetwork next = versions.forNextBatch();
        assertThat(version(next)).isEqualTo("v2");
        assertThat(next.backboneId()).isEqualTo(manifest.backboneId());
        assertThat(swaps).endsWith("v1->v2@" + manifest.backboneId());
        assertThat(loaded.get(0).closed).as("the bootstrap backbone is released").isTrue();
        assertThat(loaded.get(1).warmedUp).as("the new backbone was warmed up before it took traffic").isTrue();
        assertThat(loaded.stream().filter(b -> !b.closed)).hasSize(1);
    }

    @Test
    void aCorruptBackboneIsRefusedAndTheServingNetworkStays() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        byte[] weights = bytes(1_500_000, 8);
        BackboneManifest manifest = manifest("mobilenet_v2:bbbbbbbbbbbb", weights);
        List<byte[]> chunks = BackboneChunks.split(weights, manifest.chunkBytes());
        chunks.get(1)[10] ^= 1; // a flipped bit in transit

        versions.offer(artifact("v2", manifest.backboneId(), 1280, 2, manifest.reference()));
        library.chunk(new BackboneChunk(manifest.backboneId(), 0, chunks.get(0)));
        library.chunk(new BackboneChunk(manifest.backboneId(), 1, chunks.get(1)));
        library.manifest(manifest);

        assertThat(library.status(manifest.backboneId())).isInstanceOf(BackboneLibrary.Corrupt.class);
        assertThat(refusals).containsExactly(ModelVersions.RefusalReason.CORRUPT_BACKBONE);
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(loaded).hasSize(1);
    }

    @Test
    void aBackboneWhoseManifestArrivesWithoutAllItsChunksIsRefusedAndTheServingNetworkStays() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        byte[] weights = bytes(2_500_000, 9);
        BackboneManifest manifest = manifest("mobilenet_v2:cccccccccccc", weights);
        List<byte[]> chunks = BackboneChunks.split(weights, manifest.chunkBytes());

        versions.offer(artifact("v2", manifest.backboneId(), 1280, 2, manifest.reference()));
        library.chunk(new BackboneChunk(manifest.backboneId(), 0, chunks.get(0)));
        library.chunk(new BackboneChunk(manifest.backboneId(), 2, chunks.get(2))); // chunk 1 was lost
        library.manifest(manifest);

        assertThat(refusals).containsExactly(ModelVersions.RefusalReason.INCOMPLETE_BACKBONE);
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(loaded).hasSize(1);
        assertThat(refusal(artifact("v3", manifest.backboneId(), 1280, 3, manifest.reference())))
                .isEqualTo(ModelVersions.RefusalReason.INCOMPLETE_BACKBONE);
    }

    @Test
    void neverHoldsMoreThanTwoBackbonesWhenVersionsArriveFasterThanBatches() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        BackboneManifest a = publish("mobilenet_v2:dddddddddddd", bytes(1_200_000, 10));
        BackboneManifest b = publish("mobilenet_v2:eeeeeeeeeeee", bytes(1_200_000, 11));

        assertThat(versions.offer(artifact("v2", a.backboneId(), 1280, 2, a.reference())))
                .isInstanceOf(ModelVersions.Accepted.class); // pending: no batch has run since
        assertThat(versions.offer(artifact("v3", b.backboneId(), 1280, 3, b.reference())))
                .isInstanceOf(ModelVersions.Accepted.class);

        assertThat(mostResident).isEqualTo(2);
        ServingNetwork next = versions.forNextBatch();
        assertThat(version(next)).isEqualTo("v3");
        assertThat(swaps).containsExactly("null->v1@" + BOOTSTRAP, "v1->v3@" + b.backboneId());
        assertThat(loaded.stream().filter(x -> !x.closed)).hasSize(1);
    }

    @Test
    void refusesAVersionWhoseOutputsAreNaNOnTheValidationBatchAndKeepsServingTheGoodOne() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();

        ModelVersions.Verdict verdict = versions.offer(nanArtifact("v2", BOOTSTRAP, DIM));
        assertThat(verdict).isInstanceOfSatisfying(ModelVersions.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(ModelVersions.RefusalReason.NON_FINITE_OUTPUT);
            assertThat(r.detail()).contains("probability (NaN)");
        });
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(versions.servingVersion()).contains("v1");
        assertThat(refusals).containsExactly(ModelVersions.RefusalReason.NON_FINITE_OUTPUT);
        assertThat(versions.lastRefusal()).hasValueSatisfying(r -> assertThat(r.version()).isEqualTo("v2"));
        assertThat(swaps).containsExactly("null->v1@" + BOOTSTRAP);
    }

    @Test
    void refusesAVersionWhoseBackboneFailsTheValidationBatchAndClosesThatBackbone() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        BackboneManifest bad = publish("mobilenet_v2:badbadbadbad", bytes(1_200_000, 12));

        assertThat(refusal(artifact("v2", bad.backboneId(), 1280, 2, bad.reference())))
                .isEqualTo(ModelVersions.RefusalReason.FORWARD_FAILED);
        assertThat(loaded).hasSize(2);
        assertThat(loaded.get(1).closed).as("the refused version's own backbone is closed").isTrue();
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
    }

    @Test
    void aWithdrawnVersionFallsBackToTheLastGoodOneAndIsNeverServedAgain() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        ModelArtifact v2 = artifact("v2", BOOTSTRAP, DIM, 2, null);
        versions.offer(v2);
        ServingNetwork withdrawn = versions.forNextBatch();

        versions.withdrawn(withdrawn.head().orElseThrow());

        assertThat(versions.servingVersion()).contains("v1");
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        assertThat(swaps).containsExactly("null->v1@" + BOOTSTRAP, "v1->v2@" + BOOTSTRAP, "v2->v1@" + BOOTSTRAP);
        assertThat(loaded).as("the bootstrap backbone is shared").hasSize(1);
        assertThat(versions.withdrawnVersions()).containsExactly("v2");
        assertThat(refusal(v2)).as("the same record again").isEqualTo(ModelVersions.RefusalReason.WITHDRAWN);
        ModelArtifact rollbackToV2 = new ModelArtifact(v2.metadata().asRollback("v3", OffsetDateTime.now()),
                v2.weights());
        assertThat(refusal(rollbackToV2)).as("its weights under a newer record")
                .isEqualTo(ModelVersions.RefusalReason.WITHDRAWN);
        assertThat(versions.offer(artifact("v4", BOOTSTRAP, DIM, 4, null))).as("a newer version serves")
                .isInstanceOf(ModelVersions.Accepted.class);
        assertThat(version(versions.forNextBatch())).isEqualTo("v4");
    }

    @Test
    void theFallbackSkipsWithdrawnVersionsNewestFirst() throws Exception {
        for (int i = 1; i <= 3; i++) {
            versions().offer(artifact("v" + i, BOOTSTRAP, DIM, i, null));
            versions.forNextBatch();
        }
        versions.withdrawn(versions.forNextBatch().head().orElseThrow());
        assertThat(version(versions.forNextBatch())).isEqualTo("v2");
        versions.withdrawn(versions.forNextBatch().head().orElseThrow());
        assertThat(version(versions.forNextBatch())).isEqualTo("v1");
        versions.withdrawn(versions.forNextBatch().head().orElseThrow());
        assertThat(versions.fallbackCandidates()).isEmpty();
        assertThat(version(versions.forNextBatch())).as("nothing left: the network stays, ScanInference drops its"
                + " withdrawn head").isEqualTo("v1");
        assertThat(versions.withdrawnVersions()).containsExactlyInAnyOrder("v1", "v2", "v3");
    }

    @Test
    void theFallbackReloadsAnEarlierPublishedBackboneWithAtMostTwoResident() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        BackboneManifest a = publish("mobilenet_v2:aaaaaaaaaaaa", bytes(1_200_000, 20));
        BackboneManifest b = publish("mobilenet_v2:bbbbbbbbbbbb", bytes(1_200_000, 21));
        versions.offer(artifact("v2", a.backboneId(), 1280, 2, a.reference()));
        versions.forNextBatch();
        versions.offer(artifact("v3", b.backboneId(), 1280, 3, b.reference()));
        ServingNetwork onB = versions.forNextBatch();
        assertThat(loaded.stream().filter(x -> !x.closed).map(StandInBackbone::backboneId))
                .containsExactly(b.backboneId());

        versions.withdrawn(onB.head().orElseThrow());
        ServingNetwork fallback = versions.forNextBatch();

        assertThat(version(fallback)).isEqualTo("v2");
        assertThat(fallback.backboneId()).isEqualTo(a.backboneId());
        assertThat(mostResident).isEqualTo(2);
        assertThat(loaded.stream().filter(x -> !x.closed).map(StandInBackbone::backboneId))
                .containsExactly(a.backboneId());
    }

    @Test
    void noFallbackOverridesANewerVersionAlreadyPending() throws Exception {
        versions().offer(artifact("v1", BOOTSTRAP, DIM, 1, null));
        versions.forNextBatch();
        versions.offer(artifact("v2", BOOTSTRAP, DIM, 2, null));
        ServingNetwork v2 = versions.forNextBatch();
        versions.offer(artifact("v3", BOOTSTRAP, DIM, 3, null)); // pending

        versions.withdrawn(v2.head().orElseThrow());

        assertThat(version(versions.forNextBatch())).isEqualTo("v3");
    }

    private static ModelArtifact nanArtifact(String version, String backbone, int inputDim) {
        HeadArchitecture architecture = new HeadArchitecture(inputDim, List.of(64, 32, 16), 0.1, 2);
        byte[] weights = TestHeadWeights.nan(architecture);
        return new ModelArtifact(new ModelMetadata("covid-head", version, OffsetDateTime.now(), backbone, architecture,
                null, Sha256.hex(weights), null, null, null, null, null, null), weights);
    }

    private BackboneManifest publish(String id, byte[] weights) {
        BackboneManifest manifest = manifest(id, weights);
        List<byte[]> chunks = BackboneChunks.split(weights, manifest.chunkBytes());
        for (int i = 0; i < chunks.size(); i++) {
            library.chunk(new BackboneChunk(id, i, chunks.get(i)));
        }
        library.manifest(manifest);
        return manifest;
    }

    private ModelVersions.RefusalReason refusal(ModelArtifact artifact) {
        ModelVersions.Verdict verdict = versions.offer(artifact);
        assertThat(verdict).isInstanceOf(ModelVersions.Refused.class);
        return ((ModelVersions.Refused) verdict).reason();
    }

    private static String version(ServingNetwork network) {
        return network.head().map(ServingHead::version).orElse(null);
    }

    private static BackboneManifest manifest(String id, byte[] weights) {
        return new BackboneManifest(id, "mobilenet_v2", "final", BackboneManifest.DJL_PARAMETERS, weights.length,
                Sha256.hex(weights), 1 << 20, (weights.length + (1 << 20) - 1) >> 20, OffsetDateTime.now(), "run-1",
                BOOTSTRAP, ScanSet.EMPTY);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static ModelArtifact artifact(String version, String backbone, int inputDim, long seed, BackboneRef ref) {
        HeadArchitecture architecture = new HeadArchitecture(inputDim, List.of(64, 32, 16), 0.1, 2);
        byte[] weights;
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, seed)) {
            weights = head.weightsBytes();
        }
        return new ModelArtifact(new ModelMetadata("covid-head", version, OffsetDateTime.now(), backbone, architecture,
                null, Sha256.hex(weights), null, null, null, null, ref, null), weights);
    }

    /** Loads stand-ins: the bootstrap is resnet34 (512 features), published ones mobilenet_v2 (1280). */
    private final class StubLoader implements BackboneLoader {
        @Override
        public String bootstrapId() {
            return BOOTSTRAP;
        }

        @Override
        public FeatureExtractor loadBootstrap() {
            return remember(standIn(BOOTSTRAP, DIM));
        }

        @Override
        public FeatureExtractor load(BackboneManifest manifest, Path weights) {
            assertThat(weights).exists();
            return remember(standIn(manifest.backboneId(), 1280));
        }

        @Override
        public void warmUp(FeatureExtractor backbone) {
            ((StandInBackbone) backbone).warmedUp = true;
        }

        private StandInBackbone remember(StandInBackbone backbone) {
            loaded.add(backbone);
            mostResident = Math.max(mostResident, (int) loaded.stream().filter(b -> !b.closed).count());
            return backbone;
        }
    }

    /** 0-features of {@code dim}, except a backbone whose id says "bad": every forward pass fails. */
    private static StandInBackbone standIn(String id, int dim) {
        return new StandInBackbone(id, dim, true, images -> {
            if (id.contains("bad")) {
                throw new IllegalStateException("stand-in backbone " + id + " fails every forward pass");
            }
            return new float[images.size()][dim];
        });
    }
}
