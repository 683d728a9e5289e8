package io.scanstream.inference.messaging;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.inference.TestHeads;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.head.HeadBlocks;
import io.scanstream.model.head.TestHeadWeights;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import io.scanstream.testing.security.TestModelSigning;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Poison model versions through the real broker. A head whose outputs are NaN everywhere is refused at load by the
 * validation batch: the good version keeps serving and no scan is rejected (before: it was swapped in and cost
 * {@code withdraw-after-non-finite} INTERNAL rejections, then served the backbone alone, UNDETERMINED). A head that
 * is finite on the validation batch but NaN on some real inputs is withdrawn in service after the limit, and the
 * last good version serves in its place (before: UNDETERMINED until another version was published). Nothing
 * non-finite is ever published.
 */
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@TestProfile(PoisonModelServiceTest.Poison.class)
@WithTestResource(KafkaBrokerTestResource.class)
class PoisonModelServiceTest {

    public static class Poison implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.model.name", MODEL, "inference.model.withdraw-after-non-finite", "3");
        }
    }

    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;
    @TestHTTPResource(value = "/health/live", management = true)
    URL managementHealthLive;
    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementHealthReady;
    @Inject
    ModelVersions versions;

    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String MODEL = "covid-head-poison-it";
    private static final int FEATURES = 1280;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(78);

    @Test
    void aNaNHeadPublishedWhileAGoodVersionServesIsRefusedAtLoadAndNoScanIsRejected() {
        publish(TestHeads.random(MODEL, "v-good-a", BACKBONE, 5, 0.5));
        awaitServing("v-good-a");

        publish(nanHead("v-nan"));
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get(managementMetrics.toString()).then()
                .body(containsString("scanstream_inference_model_refused_total{reason=\"NON_FINITE_OUTPUT\"} 1.0")));
        given().when().get(managementHealthReady.toString()).then().statusCode(200)
                .body("checks.find { it.name == 'inference pipeline' }.data.lastRefused", allOf(containsString("v-nan"), containsString("NON_FINITE_OUTPUT")));
        given().when().get("/model").then().statusCode(200).body("headVersion", equalTo("v-good-a"));

        List<String> ids = send(normal("a", 10));
        Map<String, List<Object>> outcomes = outcomes(ids);
        assertThat(outcomes).hasSize(ids.size()).allSatisfy((id, list) -> {
            assertThat(list).as("one prediction, no INTERNAL rejection").singleElement()
                    .isInstanceOfSatisfying(ScanPrediction.class, p -> {
                        assertThat(p.modelVersion()).isEqualTo("v-good-a");
                        assertThat(p.probability()).isBetween(0.0, 1.0);
                    });
        });
        given().when().get(managementHealthLive.toString()).then().statusCode(200);
    }

    @Test
    void aHeadFiniteOnTheValidationBatchButNaNOnSomeRealScansIsWithdrawnAndTheLastGoodVersionServes() {
        publish(TestHeads.random(MODEL, "v-good-b", BACKBONE, 6, 0.5));
        awaitServing("v-good-b");
        // served scans fill the validation batch the next version must pass
        Map<String, List<Object>> warm = outcomes(send(normal("warm", 8)));
        assertThat(warm).hasSize(8);
        Trigger trigger = trigger(versions.validation().images());
        publish(trickyHead("v-tricky", trigger));
        awaitServing("v-tricky"); // it passed the validation batch

        List<String> poisoned = send(repeat("poisoned", trigger.image(), 4));
        Map<String, List<Object>> first = outcomes(poisoned);
        assertThat(first).hasSize(poisoned.size()).allSatisfy((id, list) -> assertThat(list).hasSize(1));
        List<ScanRejected> rejections = first.values().stream().map(l -> l.get(0))
                .filter(ScanRejected.class::isInstance).map(ScanRejected.class::cast).toList();
        assertThat(rejections).hasSizeGreaterThanOrEqualTo(3).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(RejectionReason.INTERNAL);
            assertThat(r.stage()).isEqualTo("inference");
            assertThat(r.detail()).contains("non-finite").contains("v-tricky");
        });
        assertThat(first.values().stream().map(l -> l.get(0)).filter(ScanPrediction.class::isInstance)
                .map(ScanPrediction.class::cast)).allSatisfy(p ->
                assertThat(p.modelVersion()).isNotEqualTo("v-tricky"));

        // withdrawn: the last good version is loaded in its place and serves every later scan, the trigger included
        awaitServing("v-good-b");
        List<String> later = new ArrayList<>(send(repeat("later-poisoned", trigger.image(), 4)));
        later.addAll(send(normal("later", 6)));
        Map<String, List<Object>> second = outcomes(later);
        assertThat(second).hasSize(later.size()).allSatisfy((id, list) -> assertThat(list).singleElement()
                .isInstanceOfSatisfying(ScanPrediction.class, p -> {
                    assertThat(p.modelVersion()).isEqualTo("v-good-b");
                    assertThat(p.probability()).isBetween(0.0, 1.0);
                    assertThat(p.backbone()).isEqualTo(BACKBONE);
                }));

        given().when().get(managementHealthLive.toString()).then().statusCode(200);
        given().when().get(managementHealthReady.toString()).then().statusCode(200)
                .body("checks.find { it.name == 'inference pipeline' }.data.withdrawn", containsString("v-tricky"))
                .body("checks.find { it.name == 'inference pipeline' }.data.head", equalTo("v-good-b"));
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_inference_model_withdrawn_total 1.0"))
                .body(containsString("scanstream_inference_non_finite_outputs_total"))
                .body(containsString("scanstream_inference_batcher_alive 1.0"));
    }

    private void awaitServing(String version) {
        await().atMost(TIMEOUT).untilAsserted(() ->
                given().when().get("/model").then().statusCode(200).body("headVersion", equalTo(version)));
    }

    /** An input and one backbone feature that it drives at least twice as high as any validation input does. */
    record Trigger(GreyImage image, int feature, float threshold) {
    }

    /**
     * Finds, with the service's own backbone, a bright image (white, or an inverted phantom) and a feature on which
     * it exceeds every validation input by a factor of two at least; the tricky head overflows on that feature
     * only above the geometric mean of the two.
     */
    private Trigger trigger(List<GreyImage> validation) {
        FeatureExtractor backbone = versions.currentBackbone();
        float[] most = new float[FEATURES];
        java.util.Arrays.fill(most, Float.NEGATIVE_INFINITY);
        for (GreyImage image : validation) {
            float[] f = embed(backbone, image);
            for (int k = 0; k < FEATURES; k++) {
                most[k] = Math.max(most[k], f[k]);
            }
        }
        List<GreyImage> candidates = new ArrayList<>();
        byte[] white = new byte[224 * 224];
        java.util.Arrays.fill(white, (byte) 255);
        candidates.add(new GreyImage(224, 224, white));
        for (int i = 0; i < 3; i++) {
            byte[] inverted = normalImage(100 + i).pixels().clone();
            for (int p = 0; p < inverted.length; p++) {
                inverted[p] = (byte) (255 - (inverted[p] & 0xff));
            }
            candidates.add(new GreyImage(224, 224, inverted));
        }
        Trigger best = null;
        double bestRatio = 0;
        for (GreyImage candidate : candidates) {
            float[] f = embed(backbone, candidate);
            for (int k = 0; k < FEATURES; k++) {
                if (f[k] <= 0) {
                    continue;
                }
                double ratio = most[k] <= 0 ? Double.MAX_VALUE : f[k] / most[k];
                if (ratio > bestRatio) {
                    bestRatio = ratio;
                    float threshold = most[k] <= 0 ? f[k] / 2 : (float) Math.sqrt((double) most[k] * f[k]);
                    best = new Trigger(candidate, k, threshold);
                }
            }
        }
        assertThat(bestRatio).as("a bright input drives some feature twice as high as the validation inputs")
                .isGreaterThanOrEqualTo(2.0);
        return best;
    }

    private static float[] embed(FeatureExtractor backbone, GreyImage image) {
        synchronized (backbone) { // the batch thread uses it too (see ScanInference)
            return backbone.embed(List.of(image), 1)[0];
        }
    }

    /**
     * 1280 → 2 → 2, finite below the trigger and NaN above it: the standardisation divides the trigger feature by
     * its threshold, both hidden units multiply it by Float.MAX_VALUE (every other weight 0), so above the
     * threshold both are +infinity and the logit {@code h0 - h1} is infinity minus infinity, NaN; below it the two
     * hidden units are equal and finite and P(COVID) is 0.5.
     */
    private static ModelArtifact trickyHead(String version, Trigger trigger) {
        HeadArchitecture architecture = new HeadArchitecture(FEATURES, List.of(2), 0.0, 2);
        byte[] weights;
        try (Model model = HeadBlocks.newModel(architecture)) {
            Block block = model.getBlock();
            HeadBlocks.initialise(block, architecture, model.getNDManager(), 9);
            float[] mean = new float[FEATURES];
            float[] std = new float[FEATURES];
            java.util.Arrays.fill(std, 1f);
            std[trigger.feature()] = trigger.threshold();
            HeadBlocks.setFeatureStandardization(block, mean, std);
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray array = p.getValue().getArray();
                long[] shape = array.getShape().getShape();
                float[] values = new float[(int) array.size()];
                if (shape.length == 2 && shape[1] == FEATURES) { // hidden layer: both units read the trigger feature
                    values[trigger.feature()] = Float.MAX_VALUE;
                    values[FEATURES + trigger.feature()] = Float.MAX_VALUE;
                } else if (shape.length == 2) { // output layer: logit 0 = h0 - h1, logit 1 = 0
                    values[0] = 1f;
                    values[1] = -1f;
                } else if (shape.length == 1 && shape[0] == FEATURES) {
                    continue; // the standardisation, set above
                }
                array.set(values);
            }
            weights = HeadBlocks.weightsBytes(block);
        }
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.8, 0.7, 0.4, null, 10, 2);
        return new ModelArtifact(new ModelMetadata(MODEL, version, OffsetDateTime.now(), BACKBONE, architecture,
                metrics, Sha256.hex(weights), null, null), weights);
    }

    /** Each scan's outcomes on scans.predictions and scans.rejected, read until every scan has one, then 2 s more. */
    private static Map<String, List<Object>> outcomes(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        Map<String, List<Object>> seen = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = KAFKA.client().newConsumer()) {
            consumer.subscribe(List.of(Topics.SCANS_PREDICTIONS, Topics.SCANS_REJECTED));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && wanted.contains(r.key())) {
                        Object outcome = r.topic().equals(Topics.SCANS_PREDICTIONS)
                                ? EventCodecs.PREDICTED.fromRecord(r) : EventCodecs.REJECTED.fromRecord(r);
                        seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(outcome);
                    }
                }
                if (seen.size() == wanted.size() && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return seen;
    }

    private List<ScanPreprocessed> normal(String tag, int n) {
        List<ScanPreprocessed> scans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scans.add(scan(tag + "-" + i, normalImage(i)));
        }
        return scans;
    }

    private List<ScanPreprocessed> repeat(String tag, GreyImage image, int n) {
        List<ScanPreprocessed> scans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scans.add(scan(tag + "-" + i, image));
        }
        return scans;
    }

    private GreyImage normalImage(int i) {
        return AntialiasedResizer.resize(generator.render(i, generator.labelOf(i), 256, 256), 224, 224);
    }

    private ScanPreprocessed scan(String id, GreyImage image) {
        return new ScanPreprocessed(run + "-" + id, URI.create("/devices/ct-test"),
                OffsetDateTime.parse("2026-11-25T12:00:00Z"), "p-test", Sha256.hex(image.pixels()), ImageFormat.PNG,
                256, 256, image);
    }

    private static List<String> send(List<ScanPreprocessed> scans) {
        for (ScanPreprocessed scan : scans) {
            KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, scan));
        }
        return scans.stream().map(ScanPreprocessed::scanId).toList();
    }

    /** A head of the right shape whose every parameter is NaN: it loads, and every output is NaN. */
    private static ModelArtifact nanHead(String version) {
        HeadArchitecture architecture = HeadArchitecture.standard(1280, 0.2);
        byte[] weights = TestHeadWeights.nan(architecture);
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.8, 0.7, 0.4, null, 10, 2);
        return new ModelArtifact(new ModelMetadata(MODEL, version, OffsetDateTime.now(), BACKBONE, architecture,
                metrics, Sha256.hex(weights), null, null), weights);
    }

    private static void publish(ModelArtifact artifact) {
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                TestModelSigning.signer()));
    }
}
