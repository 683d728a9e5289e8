package io.scanstream.training.service;

import java.net.URL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import io.scanstream.training.SyntheticEmbeddings;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.learning.evaluate.HeadScoring;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The training service through the real broker: it starts ready with no data; labels and embeddings joined in
 * both orders (and a label for an unknown scan waiting); a run trains, evaluates and publishes exactly one version
 * that passes inference's acceptance checks and scores held-out scans well; a second run on the same data is
 * gated out; scans without an embedding of the backbone are embedded from scans.preprocessed; full-network mode
 * writes a new backbone while a second run is refused. Ordered: the training set carries over.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingServiceTest {
    /** Health and metrics are served on the management interface (its own port). */
    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementHealthReady;
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;


    /** What inference publishes with no weights configured and seed 42: the service's backbone in this profile. */
    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String MODEL = "covid-head-training-it";
    private static final int DIM = 1280;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final OffsetDateTime LABELLED_AT = OffsetDateTime.parse("2026-11-25T12:00:00Z");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final List<TrainingExample> DATA =
            SyntheticEmbeddings.examples(RUN, "service-test", 24, 2, DIM, 0.6, BACKBONE, 31);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    private static String publishedVersion;

    @Test
    @Order(1)
    void startsReadyWithAnEmptyTrainingSetAndARunEndsAsInsufficientData() {
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get(managementHealthReady.toString()).then().statusCode(200)
                .body(containsString("training-service-mobilenet_v2-random"))
                .body(containsString("random initialisation")));
        given().when().get("/training/set").then().statusCode(200)
                .body("backbone", equalTo(BACKBONE)).body("set.examples", equalTo(0));

        String id = startRun("HEAD");

        Response finished = awaitFinished(id);
        assertThat(finished.path("outcome").toString()).isEqualTo("INSUFFICIENT_DATA");
        assertThat(finished.path("detail").toString()).contains("0 examples");
        given().when().get("/training/runs/" + id + "/report").then().statusCode(200)
                .body("outcome", equalTo("INSUFFICIENT_DATA"));
    }

    @Test
    @Order(2)
    void joinsLabelsAndEmbeddingsInEitherOrderAndKeepsALabelForAnUnknownScan() {
        List<TrainingExample> embeddingFirst = DATA.subList(0, DATA.size() / 2);
        List<TrainingExample> labelFirst = DATA.subList(DATA.size() / 2, DATA.size());
        embeddingFirst.forEach(TrainingServiceTest::sendEmbedding);
        labelFirst.forEach(TrainingServiceTest::sendLabel);
        sendLabel(RUN + "-unknown", ClinicalLabel.COVID);
        // Another backbone's embedding of the unknown scan must not complete it.
        KAFKA.client().send(EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS, new ScanEmbedding(RUN + "-unknown",
                URI.create("/devices/ct-it"), LABELLED_AT, "p-x", "resnet34:random", new float[512])));
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/training/set").then()
                .body("set.pendingLabels", equalTo(labelFirst.size() + 1)).body("set.examples", equalTo(0)));

        embeddingFirst.forEach(TrainingServiceTest::sendLabel);
        labelFirst.forEach(TrainingServiceTest::sendEmbedding);

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/training/set").then()
                .body("set.examples", equalTo(DATA.size()))
                .body("set.pendingLabels", equalTo(1))
                .body("set.patients", equalTo(24)));
        String metrics = given().when().get(managementMetrics.toString()).then().extract().asString();
        assertThat(metrics).contains("scanstream_training_labels_joined_total{path=\"label_after_embedding\"} 24.0")
                .contains("scanstream_training_labels_joined_total{path=\"embedding_after_label\"} 24.0")
                .contains("scanstream_training_events_ignored_total{reason=\"OTHER_BACKBONE\"} 1.0");
    }

    @Test
    @Order(3)
    void publishesExactlyOneVersionThatInferenceAcceptsAndThatScoresHeldOutScansWell() throws Exception {
        String id = startRun("HEAD");

        Response finished = awaitFinished(id);
        assertThat(finished.path("outcome").toString()).isEqualTo("PUBLISHED");
        assertThat((Integer) finished.path("epoch")).isEqualTo(20);
        assertThat((Integer) finished.path("trainingSetSize")).isEqualTo(DATA.size());
        assertThat((Float) finished.path("latest.trainLoss")).isPositive();
        assertThat((Float) finished.path("latest.validationAccuracy")).isBetween(0f, 1f);
        publishedVersion = finished.path("version");
        assertThat(publishedVersion).matches("v\\d{14}-" + id);

        List<ConsumerRecord<String, byte[]>> records = KAFKA.client().collect(Topics.MODELS_PUBLISHED,
                r -> MODEL.equals(r.key()), 1, TIMEOUT, Duration.ofSeconds(2));
        assertThat(records).hasSize(1);
        assertThat(new String(records.get(0).headers().lastHeader("ce_modelversion").value(), StandardCharsets.UTF_8))
                .isEqualTo(publishedVersion);
        ModelArtifact artifact = EventCodecs.MODEL_PUBLISHED.fromRecord(records.get(0)).artifact();

        // What inference checks before it swaps a head in (ModelVersions.offer), for a replica serving BACKBONE.
        assertThat(artifact.metadata().modelName()).isEqualTo(MODEL);
        assertThat(artifact.integrityVerified()).isTrue();
        assertThat(artifact.metadata().backboneId()).isEqualTo(BACKBONE);
        assertThat(artifact.metadata().head().inputDim()).isEqualTo(DIM);
        assertThat(artifact.metadata().reportUri()).isEqualTo("/training/runs/" + id + "/report");
        assertThat(artifact.metadata().metrics().epochs()).hasSize(20);
        assertThat(artifact.metadata().metrics().threshold()).isBetween(0.0, 1.0);

        // ... and it serves: held-out scans of new patients, scored with the published threshold.
        List<TrainingExample> heldOut = SyntheticEmbeddings.examples(RUN + "-new", "service-test-new", 30, 1, DIM, 0.6, BACKBONE, 32);
        float[][] x = heldOut.stream().map(TrainingExample::vector).toArray(float[][]::new);
        boolean[] covid = new boolean[heldOut.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = heldOut.get(i).covid();
        }
        try (ClassificationHead head = ClassificationHead.fromArtifact(artifact)) {
            BinaryEvaluation served = BinaryEvaluation.at(HeadScoring.score(head, x), covid,
                    artifact.metadata().metrics().threshold());
            assertThat(served.auc()).isGreaterThan(0.9);
            assertThat(served.accuracy()).isGreaterThanOrEqualTo(0.75);
        }

        given().when().get("/training/runs/" + id + "/report").then().statusCode(200)
                .body("outcome", equalTo("PUBLISHED")).body("version", equalTo(publishedVersion))
                .body("backboneId", equalTo(BACKBONE)).body("gate.publish", equalTo(true));
        byte[] roc = given().when().get("/training/runs/" + id + "/report/roc.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        assertThat(new String(roc, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        given().when().get("/training/runs/" + id + "/report/loss.png").then().statusCode(200);
    }

    @Test
    @Order(4)
    void aSecondRunOnTheSameDataDoesNotBeatTheChampionAndPublishesNothing() {
        String id = startRun("HEAD");

        Response finished = awaitFinished(id);
        assertThat(finished.path("outcome").toString()).isEqualTo("GATED_OUT");
        assertThat(finished.path("detail").toString()).contains("no significant difference")
                .contains("champion " + publishedVersion).contains("the champion stays");
        assertThat(KAFKA.client().collect(Topics.MODELS_PUBLISHED, r -> MODEL.equals(r.key()), 2, Duration.ofSeconds(5)))
                .hasSize(1);
    }

    @Test
    @Order(5)
    void embedsFromThePreprocessedScanWhenNoEmbeddingOfTheBackboneExists() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(41);
        for (int i = 0; i < 16; i++) {
            String scanId = RUN + "-pre-" + i;
            ClinicalLabel label = i % 2 == 0 ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
            GreyImage image = generator.render(i, label, 224, 224);
            if (i % 2 == 0) {
                sendPreprocessed(scanId, image, i);
                sendLabel(scanId, label);
            } else {
                sendLabel(scanId, label);
                sendPreprocessed(scanId, image, i);
            }
        }

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/training/set").then()
                .body("set.examples", equalTo(DATA.size() + 16)));
        given().when().get(managementMetrics.toString()).then()
                .body(containsString("scanstream_training_labels_joined_total{path=\"recomputed\"} 16.0"));
    }

    @Test
    @Order(6)
    void fullNetworkModeWritesANewBackboneWhileASecondRunIsRefused() throws Exception {
        String id = startRun("FULL_NETWORK");
        given().when().post("/training/runs").then().statusCode(409).body("activeRun", equalTo(id));

        Response finished = awaitFinished(id);
        assertThat(finished.path("outcome").toString()).isEqualTo("ARTIFACTS_WRITTEN");
        assertThat((Integer) finished.path("trainingSetSize")).isEqualTo(16); // the scans with images
        Response report = given().when().get("/training/runs/" + id + "/report").then().statusCode(200).extract()
                .response();
        String backboneId = report.path("artifacts.backboneId");
        assertThat(backboneId).matches("mobilenet_v2:[0-9a-f]{12}");
        Path backbone = Path.of(report.<String>path("artifacts.backboneFile"));
        assertThat(Sha256.hex(Files.readAllBytes(backbone))).startsWith(backboneId.substring(backboneId.indexOf(':') + 1));
        ModelArtifact head = ModelArtifact.fromBytes(Files.readAllBytes(Path.of(report.<String>path("artifacts.headArtifact"))));
        assertThat(head.metadata().backboneId()).isEqualTo(backboneId);
        assertThat(head.integrityVerified()).isTrue();
        // Not published: inference replicas on the current backbone would refuse it.
        assertThat(KAFKA.client().collect(Topics.MODELS_PUBLISHED, r -> MODEL.equals(r.key()), 2, Duration.ofSeconds(3)))
                .hasSize(1);
    }

    @Test
    @Order(7)
    void exposesTheTrainingMetrics() {
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_training_runs_started_total{mode=\"head\",trigger=\"api\"} 3.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"head\",outcome=\"published\"} 1.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"head\",outcome=\"gated_out\"} 1.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"head\",outcome=\"insufficient_data\"} 1.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"full_network\",outcome=\"artifacts_written\"} 1.0"))
                .body(containsString("scanstream_training_versions_published_total 1.0"))
                .body(containsString("scanstream_training_run_duration_seconds_count{mode=\"head\"} 3"))
                .body(containsString("scanstream_training_current_epoch"))
                .body(containsString("scanstream_training_last_validation_auc"))
                .body(containsString("scanstream_training_set_size"))
                .body(containsString("scanstream_training_run_active 0.0"));
        given().when().get("/training/runs").then().statusCode(200).body("size()", equalTo(4));
        given().when().get("/training/runs/nope").then().statusCode(404);
    }

    private static String startRun(String mode) {
        return given().queryParam("mode", mode).when().post("/training/runs").then().statusCode(202)
                .header("Location", containsString("/training/runs/")).extract().path("id");
    }

    private static Response awaitFinished(String id) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                given().when().get("/training/runs/" + id).then().statusCode(200).body("state", equalTo("FINISHED")));
        return given().when().get("/training/runs/" + id).then().extract().response();
    }

    private static void sendLabel(TrainingExample row) {
        sendLabel(row.scanId(), row.label());
    }

    private static void sendLabel(String scanId, ClinicalLabel label) {
        KAFKA.client().send(EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, new ScanLabel(scanId, label, "dr-it", LABELLED_AT)));
    }

    private static void sendEmbedding(TrainingExample row) {
        KAFKA.client().send(EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS, new ScanEmbedding(row.scanId(),
                URI.create("/devices/ct-it"), LABELLED_AT.minusDays(1), row.patient(), BACKBONE, row.vector())));
    }

    private static void sendPreprocessed(String scanId, GreyImage image, int patient) {
        KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(scanId,
                URI.create("/devices/ct-it"), LABELLED_AT.minusDays(1), "service-test-pre-patient-" + patient,
                Sha256.hex(image.pixels()), ImageFormat.PNG, 224, 224, image)));
    }
}
