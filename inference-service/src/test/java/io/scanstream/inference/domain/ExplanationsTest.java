package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.DifferentiableBackbone;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.head.ClassificationHead;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which version an explanation is of, one at a time, and when the PyTorch copies are built and released; the
 * serving backbone is a stand-in (ModelVersions only checks ids), the explained one a real random MobileNetV2.
 */
class ExplanationsTest {

    private static final String BACKBONE = "mobilenet_v2:random";
    private static final GreyImage SCAN = new SyntheticCtGenerator(8).render(1, ClinicalLabel.COVID, 224, 224);

    @TempDir
    Path cache;
    private final Set<String> withdrawn = new HashSet<>();
    private final List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The outcome of each request that said it freed native memory. */
    private final List<String> freedBy = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int loads;
    private ModelVersions versions;
    private Explanations explanations;

    private Explanations explanations(ExplanationBackbones backbones) throws Exception {
        versions = new ModelVersions("covid-head", new StandInLoader(), new BackboneLibrary(cache),
                ModelVersions.Observer.NONE);
        explanations = new Explanations(versions, withdrawn::contains, backbones, new Explanations.Observer() {
            @Override
            public void finished(String outcome, long nanos) {
                outcomes.add(outcome);
            }

            @Override
            public void freedNativeMemory() {
                freedBy.add(outcomes.get(outcomes.size() - 1));
            }
        });
        return explanations;
    }

    @AfterEach
    void close() {
        if (explanations != null) {
            explanations.close();
        }
        if (versions != null) {
            versions.close();
        }
    }

    @Test
    void explainsOnlyTheVersionInService() throws Exception {
        Explanations explanations = explanations(this::randomMobileNet);
        assertThat(explanations.explain("s1", "v1", SCAN)).isEqualTo(new Explanations.NotServed("v1", null));

        assertThat(versions.offer(artifact("v1", 1))).isInstanceOf(ModelVersions.Accepted.class);
        assertThat(explanations.explain("s1", "v0", SCAN)).isEqualTo(new Explanations.NotServed("v0", "v1"));
        assertThat(explanations.explain("s1", null, SCAN)).isEqualTo(new Explanations.NotServed(null, "v1"));
        Explanations.Outcome explained = explanations.explain("s1", "v1", SCAN);

        assertThat(explained).isInstanceOfSatisfying(Explanations.Explained.class, e -> {
            assertThat(e.scanId()).isEqualTo("s1");
            assertThat(e.modelVersion()).isEqualTo("v1");
            assertThat(e.backboneId()).isEqualTo(BACKBONE);
            assertThat(e.layer()).isEqualTo("features.18");
            assertThat(e.saliency().cam()).hasSize(49);
        });
        // withdrawn in service for non-finite outputs: it serves no more
        withdrawn.add("v1");
        assertThat(explanations.explain("s1", "v1", SCAN)).isEqualTo(new Explanations.NotServed("v1", null));
        assertThat(outcomes).containsExactly("not-served", "not-served", "not-served", "explained", "not-served");
        assertThat(freedBy).as("only the explanation freed native memory")
                .containsExactly("explained");
    }

    @Test
    void buildsTheBackboneOnceAndTheHeadPerVersion() throws Exception {
        Explanations explanations = explanations(this::randomMobileNet);
        versions.offer(artifact("v1", 1));
        double first = ((Explanations.Explained) explanations.explain("s", "v1", SCAN)).saliency().probability();
        explanations.explain("s", "v1", SCAN);
        versions.offer(artifact("v2", 2));
        double second = ((Explanations.Explained) explanations.explain("s", "v2", SCAN)).saliency().probability();

        assertThat(loads).isEqualTo(1);
        assertThat(second).as("v2's head, not v1's").isNotEqualTo(first);
    }

    @Test
    void releasesTheCopiesOnceTheVersionNoLongerServesWithoutWaitingForARequest() throws Exception {
        Explanations explanations = explanations(this::randomMobileNet);
        versions.offer(artifact("v1", 1));
        explanations.explain("s", "v1", SCAN);
        explanations.releaseIfStale();
        assertThat(explanations.explain("s", "v1", SCAN)).isInstanceOf(Explanations.Explained.class);
        assertThat(loads).as("still serving: kept").isEqualTo(1);

        withdrawn.add("v1");
        explanations.releaseIfStale();
        withdrawn.remove("v1");
        assertThat(explanations.explain("s", "v1", SCAN)).isInstanceOf(Explanations.Explained.class);
        assertThat(loads).as("released while nothing served, built again").isEqualTo(2);
    }

    @Test
    void answersBusyWhileAnotherExplanationRunsInsteadOfQueueing() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Explanations explanations = explanations(version -> {
            loading.countDown();
            try {
                proceed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return randomMobileNet(version);
        });
        versions.offer(artifact("v1", 1));
        CompletableFuture<Explanations.Outcome> running = CompletableFuture.supplyAsync(
                () -> explanations.explain("a", "v1", SCAN));
        assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(explanations.explain("b", "v1", SCAN)).isEqualTo(new Explanations.Busy());
        proceed.countDown();
        assertThat(running.get(60, TimeUnit.SECONDS)).isInstanceOf(Explanations.Explained.class);
        assertThat(explanations.explain("c", "v1", SCAN)).isInstanceOf(Explanations.Explained.class);
    }

    @Test
    void saysWhyAVersionCannotBeExplainedAndTriesAgainNextTime() throws Exception {
        boolean[] fail = {true};
        Explanations explanations = explanations(version -> {
            if (fail[0]) {
                throw new IllegalStateException("published backbone gone");
            }
            return randomMobileNet(version);
        });
        versions.offer(artifact("v1", 1));
        assertThat(explanations.explain("s", "v1", SCAN)).isInstanceOfSatisfying(Explanations.Unavailable.class,
                u -> assertThat(u.reason()).contains("published backbone gone").contains(BACKBONE));
        fail[0] = false;
        assertThat(explanations.explain("s", "v1", SCAN)).isInstanceOf(Explanations.Explained.class);
    }

    private DifferentiableBackbone randomMobileNet(ModelMetadata version) throws java.io.IOException {
        loads++;
        return FeatureExtractors.differentiable(BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2), 42);
    }

    private static ModelArtifact artifact(String version, long seed) {
        HeadArchitecture architecture = new HeadArchitecture(1280, List.of(16), 0.0, 2);
        byte[] weights;
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, seed)) {
            weights = head.weightsBytes();
        }
        return new ModelArtifact(new ModelMetadata("covid-head", version, OffsetDateTime.now(), BACKBONE, architecture,
                null, Sha256.hex(weights), null, null), weights);
    }

    /** Serving stand-in: ModelVersions checks the bootstrap's id and width, never runs it here. */
    private static final class StandInLoader implements BackboneLoader {
        @Override
        public String bootstrapId() {
            return BACKBONE;
        }

        @Override
        public FeatureExtractor loadBootstrap() {
            return new StandInBackbone(BACKBONE, 1280, false, images -> new float[images.size()][1280]);
        }

        @Override
        public FeatureExtractor load(BackboneManifest manifest, Path weights) {
            throw new UnsupportedOperationException("only the bootstrap backbone here");
        }

        @Override
        public void warmUp(FeatureExtractor backbone) {
        }
    }
}
