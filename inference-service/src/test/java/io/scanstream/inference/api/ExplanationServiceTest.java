package io.scanstream.inference.api;

import io.scanstream.inference.TestHeads;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import io.scanstream.testing.security.TestModelSigning;
import io.scanstream.testing.security.TestTokens;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@code POST /explanations} through the real broker: before any version, and for a version that is not in service,
 * 409 with the version that is; with the version in service, a 7x7 Grad-CAM map on MobileNetV2's last stage and the
 * probability the published prediction of the same scan carries; bad bodies 400; no token 401, a device 403; once
 * they are quiet, the native memory they freed is trimmed (a 1 s quiet spell here, 30 s by default). Its own
 * model name (a profile of its own), so other tests' versions on the shared topic are not its.
 */
@QuarkusTest
@TestProfile(ExplanationServiceTest.OwnModel.class)
@WithTestResource(KafkaBrokerTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplanationServiceTest {

    public static class OwnModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a short quiet spell, so that the explanations below are followed by a trim within the test
            return Map.of("inference.model.name", MODEL, "inference.memory.quiet-before-trim", "1s");
        }
    }

    private static final String MODEL = "covid-head-explain-it";
    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String VERSION = "explain-v1";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();

    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final GreyImage scan = new SyntheticCtGenerator(31).render(0, ClinicalLabel.COVID, 224, 224);

    @Test
    @Order(1)
    void refusesWithConflictWhileNoVersionIsInService() {
        explain(clinician(), body(run + "-early", VERSION, 224, 224, base64(scan)))
                .statusCode(409).body("servedVersion", nullValue()).body("error", containsString("no model version"));
    }

    @Test
    @Order(2)
    void explainsAScanUnderTheVersionInServiceWithThePublishedProbability() {
        publish(head(VERSION, 11));
        await().atMost(TIMEOUT).untilAsserted(() -> given().header("Authorization", clinician()).when().get("/model")
                .then().statusCode(200).body("headVersion", equalTo(VERSION)));
        String scanId = run + "-scan";
        KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(scanId,
                URI.create("/devices/ct-test"), OffsetDateTime.parse("2026-11-25T12:00:00Z"), "p-test",
                Sha256.hex(scan.pixels()), ImageFormat.PNG, 224, 224, scan)));
        ScanPrediction prediction = EventCodecs.PREDICTED.fromRecord(KAFKA.client().collect(Topics.SCANS_PREDICTIONS,
                r -> r.key().equals(scanId), 1, TIMEOUT).get(0));
        assertThat(prediction.modelVersion()).isEqualTo(VERSION);

        Map<String, Object> explanation = explain(clinician(),
                body(scanId, prediction.modelVersion(), 224, 224, base64(scan)))
                .statusCode(200).extract().jsonPath().getMap("$");

        assertThat(explanation).containsEntry("scanId", scanId).containsEntry("modelVersion", VERSION)
                .containsEntry("backboneId", BACKBONE).containsEntry("layer", "features.18")
                .containsEntry("gridWidth", 7).containsEntry("gridHeight", 7);
        @SuppressWarnings("unchecked")
        List<Number> cam = (List<Number>) explanation.get("cam");
        assertThat(cam).hasSize(49).allSatisfy(v -> assertThat(v.doubleValue()).isBetween(0.0, 1.0));
        assertThat(cam.stream().mapToDouble(Number::doubleValue).max().orElseThrow()).isIn(0.0, 1.0);
        // the explanation is of the decision that was published: same weights, same probability
        assertThat(((Number) explanation.get("probability")).doubleValue())
                .isCloseTo(prediction.probability(), within(1e-4));

        // an operator may ask too; the same scan gives the same map
        Map<String, Object> again = explain(TestTokens.bearer("ops", Roles.OPERATOR),
                body(scanId, VERSION, 224, 224, base64(scan))).statusCode(200).extract().jsonPath().getMap("$");
        assertThat(again.get("cam")).isEqualTo(explanation.get("cam"));
    }

    @Test
    @Order(3)
    void refusesWithConflictForAVersionThatIsNotInService() {
        explain(clinician(), body(run + "-old", "explain-v0", 224, 224, base64(scan)))
                .statusCode(409).body("servedVersion", equalTo(VERSION)).body("error", containsString("explain-v0"));
        // a prediction made without a head has no version to explain
        explain(clinician(), body(run + "-none", null, 224, 224, base64(scan)))
                .statusCode(409).body("servedVersion", equalTo(VERSION));
    }

    @Test
    @Order(4)
    void refusesBadBodiesWithTheReason() {
        explain(clinician(), body(run, VERSION, 100, 100, base64(new GreyImage(100, 100, new byte[100 * 100]))))
                .statusCode(400).body("error", containsString("224x224"));
        explain(clinician(), body(run, VERSION, 224, 224, "not base64!"))
                .statusCode(400).body("error", containsString("not base64"));
        explain(clinician(), body(run, VERSION, 224, 224, Base64.getEncoder().encodeToString(new byte[10])))
                .statusCode(400).body("error", containsString("decode to 10 bytes"));
        explain(clinician(), Map.of("modelVersion", VERSION))
                .statusCode(400).body("error", containsString("scanId is required"))
                .body("error", containsString("width and height are required"))
                .body("error", containsString("pixels"));
        given().header("Authorization", clinician()).contentType(ContentType.JSON).body("{not json")
                .when().post("/explanations").then().statusCode(400);
    }

    @Test
    @Order(5)
    void needsATokenOfAClinicianOrAnOperator() {
        Map<String, Object> body = body(run, VERSION, 224, 224, base64(scan));
        given().contentType(ContentType.JSON).body(body).when().post("/explanations").then().statusCode(401);
        explain(TestTokens.bearer("/devices/cam", Roles.DEVICE), body).statusCode(403);
    }

    @Test
    @Order(6)
    void timesExplanationsByOutcome() {
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_inference_explanation_seconds_count{outcome=\"explained\"} 2.0"))
                .body(containsString("scanstream_inference_explanation_seconds_count{outcome=\"not-served\"} 3.0"))
                .body(containsString("scanstream_inference_explanation_seconds_count{outcome=\"busy\"} 0.0"));
    }

    @Test
    @Order(7)
    @EnabledOnOs(OS.LINUX) // glibc's trim through the JVM: Linux JDKs only (NativeHeapTest)
    void handsBackTheNativeMemoryTheExplanationsFreedOnceTheyAreQuiet() {
        Pattern trims = Pattern.compile("(?m)^scanstream_inference_native_heap_trims_total(?:\\{[^}]*})? (\\S+)$");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Matcher counter = trims.matcher(given().when().get(managementMetrics.toString()).asString());
            assertThat(counter.find()).as("the trims counter is exported").isTrue();
            assertThat(Double.parseDouble(counter.group(1))).as("trims after the explanations above")
                    .isGreaterThanOrEqualTo(1.0);
        });
    }

    private static ValidatableResponse explain(String authorization, Map<String, Object> body) {
        return given().header("Authorization", authorization).contentType(ContentType.JSON).body(body)
                .when().post("/explanations").then();
    }

    private static Map<String, Object> body(String scanId, String version, int width, int height, String pixels) {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("scanId", scanId);
        body.put("modelVersion", version);
        body.put("width", width);
        body.put("height", height);
        body.put("pixels", pixels);
        return body;
    }

    private static String base64(GreyImage image) {
        return Base64.getEncoder().encodeToString(image.pixels());
    }

    private static String clinician() {
        return TestTokens.bearer("dr-house", Roles.CLINICIAN);
    }

    private static ModelArtifact head(String version, long seed) {
        return TestHeads.random(MODEL, version, BACKBONE, seed, 0.5);
    }

    private static void publish(ModelArtifact artifact) {
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                TestModelSigning.signer()));
    }
}
