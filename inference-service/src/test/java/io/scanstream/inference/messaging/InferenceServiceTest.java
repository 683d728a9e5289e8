package io.scanstream.inference.messaging;

import io.scanstream.inference.TestHeads;
import java.net.URL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.signing.ModelSignature;
import io.scanstream.core.signing.ModelSigner;
import io.scanstream.core.signing.ModelSigningKeys;
import io.scanstream.testing.security.TestModelSigning;
import org.apache.kafka.clients.producer.ProducerRecord;
import java.security.KeyPair;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The inference service through the real broker with the real backbone (MobileNetV2, random initialisation: no
 * weights on a fresh machine): before any head exists it publishes UNDETERMINED predictions and embeddings; a
 * published head is swapped in between batches without losing or doubling a scan; a corrupt or mismatched version
 * is refused and the serving one stays. Ordered: the service's state (the head in service) carries over.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InferenceServiceTest {
    /** Health and metrics are served on the management interface (its own port). */
    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementHealthReady;
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;


    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String MODEL = "covid-head-it";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(77);

    @Test
    @Order(1)
    void publishesUndeterminedPredictionsAndEmbeddingsBeforeAnyHeadExists() {
        List<String> ids = send("before", 10);
        List<ScanPrediction> predictions = predictions(ids);
        assertThat(predictions).extracting(ScanPrediction::scanId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(predictions).allSatisfy(p -> {
            assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.probability()).isNull();
            assertThat(p.modelVersion()).isNull();
            assertThat(p.backbone()).isEqualTo(BACKBONE);
            assertThat(p.acquiredAt()).isEqualTo(OffsetDateTime.parse("2026-11-25T12:00:00Z"));
            assertThat(p.predictedAt()).isAfter(p.acquiredAt());
        });
        List<ScanEmbedding> embeddings = embeddings(ids);
        assertThat(embeddings).hasSize(ids.size()).allSatisfy(e -> {
            assertThat(e.vector()).hasSize(1280);
            assertThat(e.backboneId()).isEqualTo(BACKBONE);
            assertThat(e.patientPseudonym()).isEqualTo("p-test");
        });
        given().when().get(managementHealthReady.toString()).then().statusCode(200)
                .body(containsString("no head yet")).body(containsString("random initialisation"));
    }

    @Test
    @Order(2)
    void swapsInAPublishedHeadMidStreamWithoutLosingOrDoublingAScan() throws Exception {
        List<String> ids = new ArrayList<>(send("stream-a", 12));
        publish(head("v1", 1));
        ids.addAll(send("stream-b", 12));
        await().atMost(TIMEOUT).untilAsserted(() ->
                given().when().get("/model").then().statusCode(200).body("headVersion", equalTo("v1")));
        List<String> afterSwap = send("stream-c", 12);
        ids.addAll(afterSwap);

        List<ScanPrediction> predictions = predictions(ids);
        Map<String, Long> perScan = predictions.stream().collect(Collectors.groupingBy(ScanPrediction::scanId, Collectors.counting()));
        assertThat(perScan).hasSize(ids.size());
        assertThat(perScan.values()).allMatch(count -> count == 1);
        assertThat(predictions).filteredOn(p -> afterSwap.contains(p.scanId())).allSatisfy(p -> {
            assertThat(p.modelVersion()).isEqualTo("v1");
            assertThat(p.label()).isIn(PredictedLabel.COVID, PredictedLabel.NON_COVID);
            assertThat(p.probability()).isBetween(0.0, 1.0);
            assertThat(p.threshold()).isEqualTo(0.4);
            assertThat(p.label() == PredictedLabel.COVID).isEqualTo(p.probability() >= 0.4);
        });
        // Each scan was served by whatever was in service when its batch ran: nothing else.
        assertThat(predictions).extracting(ScanPrediction::modelVersion).containsOnly(null, "v1");
    }

    @Test
    @Order(3)
    void refusesCorruptAndMismatchedVersionsAndKeepsServingTheCurrentOne() throws Exception {
        ModelArtifact good = head("v2-corrupt", 2);
        byte[] tampered = good.weights().clone();
        tampered[tampered.length / 2] ^= 0x5A;
        publish(new ModelArtifact(good.metadata(), tampered));
        ModelArtifact other = head("v2-other-backbone", 3);
        publish(new ModelArtifact(withBackbone(other.metadata(), "resnet34:random"), other.weights()));

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get(managementMetrics.toString()).then()
                .body(containsString("scanstream_inference_model_refused_total{reason=\"SHA256_MISMATCH\"} 1.0"))
                .body(containsString("scanstream_inference_model_refused_total{reason=\"BACKBONE_MISMATCH\"} 1.0")));

        List<String> ids = send("after-refusal", 6);
        assertThat(predictions(ids)).hasSize(6).allSatisfy(p -> assertThat(p.modelVersion()).isEqualTo("v1"));
        given().when().get("/model").then().body("headVersion", equalTo("v1"));
    }

    @Test
    @Order(4)
    void refusesUnsignedForgedAndInvalidVersionsBeforeReadingThemAndKeepsServingTheCurrentOne() {
        // unsigned: what a client with write access but no signing key publishes
        KAFKA.client().send(EventCodecs.MODEL_PUBLISHED.toRecord(Topics.MODELS_PUBLISHED,
                new ModelPublished(head("v3-unsigned", 4))));
        // signed with a key inference does not trust
        KeyPair foreign = ModelSigningKeys.generate();
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED,
                new ModelPublished(head("v3-foreign-key", 5)), new ModelSigner(foreign.getPrivate(), foreign.getPublic())));
        // the trusted key's signature of one version on another version's bytes
        ProducerRecord<String, byte[]> signed = EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED,
                new ModelPublished(head("v3-signed", 6)), TestModelSigning.signer());
        ProducerRecord<String, byte[]> swapped = EventCodecs.MODEL_PUBLISHED.toRecord(Topics.MODELS_PUBLISHED,
                new ModelPublished(head("v3-swapped", 7)));
        swapped.headers().add(signed.headers().lastHeader(ModelSignature.SIGNATURE_HEADER));
        swapped.headers().add(signed.headers().lastHeader(ModelSignature.KEY_ID_HEADER));
        KAFKA.client().send(swapped);
        // signed by the trusted key, but its threshold is out of [0, 1]
        ModelArtifact v3 = head("v3-threshold-2", 8);
        ModelMetrics m = v3.metadata().metrics();
        ModelMetrics badThreshold = new ModelMetrics(m.epochs(), m.auc(), m.accuracy(), m.f1(), m.sensitivity(),
                m.specificity(), 2.0, m.confusion(), m.trainSize(), m.validationSize());
        ModelMetadata d = v3.metadata();
        publish(new ModelArtifact(new ModelMetadata(d.modelName(), d.version(), d.createdAt(), d.backboneId(), d.head(),
                badThreshold, d.weightsSha256(), d.trainingRunId(), d.reportUri()), v3.weights()));

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get(managementMetrics.toString()).then()
                .body(containsString("scanstream_inference_model_refused_total{reason=\"UNSIGNED\"} 1.0"))
                .body(containsString("scanstream_inference_model_refused_total{reason=\"UNKNOWN_KEY\"} 1.0"))
                .body(containsString("scanstream_inference_model_refused_total{reason=\"BAD_SIGNATURE\"} 1.0"))
                .body(containsString("scanstream_inference_model_refused_total{reason=\"INVALID_METADATA\"} 1.0")));

        List<String> ids = send("after-forgery", 6);
        assertThat(predictions(ids)).hasSize(6).allSatisfy(p -> assertThat(p.modelVersion()).isEqualTo("v1"));
        given().when().get("/model").then().body("headVersion", equalTo("v1"));
    }

    @Test
    @Order(5)
    void exposesTheInferenceMetrics() {
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_inference_batch_size_count"))
                .body(containsString("scanstream_inference_queue_wait_seconds_bucket"))
                .body(containsString("scanstream_inference_forward_seconds_bucket"))
                .body(containsString("scanstream_inference_latency_seconds_bucket"))
                .body(containsString("scanstream_inference_predictions_total{label=\"UNDETERMINED\"}"))
                .body(containsString("scanstream_inference_model_info{backbone=\"" + BACKBONE + "\",version=\"v1\"} 1.0"))
                .body(containsString("scanstream_inference_model_swaps_total 1.0"))
                .body(containsString("scanstream_inference_device_info{backbone=\"" + BACKBONE + "\",device=\"cpu\"} 1.0"))
                .body(containsString("scanstream_inference_queue_depth"))
                .body(containsString("scanstream_inference_consumer_paused"))
                // the fault meters exist from the start (alerts see 0, not nothing)
                .body(containsString("scanstream_inference_model_withdrawn_total 0.0"))
                .body(containsString("scanstream_inference_non_finite_outputs_total 0.0"))
                .body(containsString("scanstream_inference_batcher_alive 1.0"))
                .body(containsString("scanstream_inference_producer_recreated_total 0.0"));
    }

    private List<String> send(String tag, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = run + "-" + tag + "-" + i;
            var image = AntialiasedResizer.resize(generator.render(i, generator.labelOf(i), 256, 256), 224, 224);
            KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(id,
                    URI.create("/devices/ct-test"), OffsetDateTime.parse("2026-11-25T12:00:00Z"), "p-test",
                    Sha256.hex(image.pixels()), ImageFormat.PNG, 256, 256, image)));
            ids.add(id);
        }
        return ids;
    }

    private static ModelArtifact head(String version, long seed) {
        return TestHeads.random(MODEL, version, BACKBONE, seed, 0.4);
    }

    private static ModelMetadata withBackbone(ModelMetadata m, String backbone) {
        return new ModelMetadata(m.modelName(), m.version(), m.createdAt(), backbone, m.head(), m.metrics(),
                m.weightsSha256(), m.trainingRunId(), m.reportUri());
    }

    private static void publish(ModelArtifact artifact) {
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                io.scanstream.testing.security.TestModelSigning.signer()));
    }

    private static List<ScanPrediction> predictions(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return KAFKA.client().collect(Topics.SCANS_PREDICTIONS, r -> wanted.contains(r.key()), ids.size(), TIMEOUT,
                Duration.ofSeconds(1)).stream().map(EventCodecs.PREDICTED::fromRecord).toList();
    }

    private static List<ScanEmbedding> embeddings(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        List<ConsumerRecord<String, byte[]>> records = KAFKA.client().collect(Topics.SCANS_EMBEDDINGS,
                r -> wanted.contains(r.key()), ids.size(), TIMEOUT);
        return records.stream().map(EventCodecs.EMBEDDED::fromRecord).toList();
    }
}
