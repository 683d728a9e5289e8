package io.scanstream.inference.messaging;

import java.net.URL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code inference.model.backbone-readout=multi-scale} through the real broker: embeddings are 1952 wide and
 * carry the {@code +ms} backbone id; a head trained on the final readout (1280 wide, the other id) is refused and a
 * head for the multi-scale features is served.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@TestProfile(MultiScaleReadoutServiceTest.MultiScale.class)
@WithTestResource(KafkaBrokerTestResource.class)
class MultiScaleReadoutServiceTest {
    /** Health and metrics are served on the management interface (its own port). */
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;


    public static class MultiScale implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.model.backbone-readout", "multi-scale",
                    "inference.model.name", "covid-head-multiscale-it");
        }
    }

    private static final String BACKBONE = "mobilenet_v2+ms:random";
    private static final String MODEL = "covid-head-multiscale-it";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void embedsEveryStageAndServesOnlyAHeadForThoseFeatures() {
        List<String> before = send("before", 4);
        List<ScanEmbedding> embeddings = KAFKA.client().collect(Topics.SCANS_EMBEDDINGS, r -> before.contains(r.key()),
                before.size(), TIMEOUT).stream().map(EventCodecs.EMBEDDED::fromRecord).toList();
        assertThat(embeddings).hasSize(4).allSatisfy(e -> {
            assertThat(e.vector()).hasSize(1952);
            assertThat(e.backboneId()).isEqualTo(BACKBONE);
        });
        given().when().get("/model").then().statusCode(200).body("backbone", equalTo(BACKBONE))
                .body("featureDim", equalTo(1952));

        publish(head("final-readout", "mobilenet_v2:random", 1280));
        publish(head("v1", BACKBONE, 1952));
        await().atMost(TIMEOUT).untilAsserted(() ->
                given().when().get("/model").then().statusCode(200).body("headVersion", equalTo("v1")));
        given().when().get(managementMetrics.toString()).then()
                .body(containsString("scanstream_inference_model_refused_total{reason=\"BACKBONE_MISMATCH\"} 1.0"));

        List<String> after = send("after", 4);
        Set<String> wanted = Set.copyOf(after);
        List<ScanPrediction> predictions = KAFKA.client().collect(Topics.SCANS_PREDICTIONS, r -> wanted.contains(r.key()),
                after.size(), TIMEOUT).stream().map(EventCodecs.PREDICTED::fromRecord).toList();
        assertThat(predictions).hasSize(4).allSatisfy(p -> {
            assertThat(p.modelVersion()).isEqualTo("v1");
            assertThat(p.backbone()).isEqualTo(BACKBONE);
            assertThat(p.probability()).isBetween(0.0, 1.0);
        });
    }

    private List<String> send(String tag, int n) {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(78);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = run + "-" + tag + "-" + i;
            var image = generator.render(i, generator.labelOf(i), 224, 224);
            KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(id,
                    URI.create("/devices/ct-test"), OffsetDateTime.parse("2026-11-26T12:00:00Z"), "p-test",
                    Sha256.hex(image.pixels()), ImageFormat.PNG, 224, 224, image)));
            ids.add(id);
        }
        return ids;
    }

    private static ModelArtifact head(String version, String backbone, int inputDim) {
        HeadArchitecture architecture = HeadArchitecture.standard(inputDim, 0.2);
        byte[] weights;
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, 3)) {
            weights = head.weightsBytes();
        }
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.8, 0.7, 0.4, null, 10, 2);
        return new ModelArtifact(new ModelMetadata(MODEL, version, OffsetDateTime.now(), backbone, architecture,
                metrics, Sha256.hex(weights), null, null), weights);
    }

    private static void publish(ModelArtifact artifact) {
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                io.scanstream.testing.security.TestModelSigning.signer()));
    }
}
