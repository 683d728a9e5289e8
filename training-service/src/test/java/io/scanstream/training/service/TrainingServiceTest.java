package io.scanstream.training.service;

import java.net.URL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.artifact.ModelMetadataCheck;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.signing.ModelSignature;
import io.scanstream.core.signing.TrustedModelKeys;
import io.scanstream.testing.security.TestModelSigning;
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
 * The training service through the real broker: it starts ready with no data; labels are kept whatever arrives
 * first (a label for a scan nobody embedded included); a run trains, evaluates and publishes exactly one version
 * that passes inference's acceptance checks and scores held-out scans well; a second run on the same data is
 * gated out; a head run embeds the labelled scans the backbone has no embedding of from scans.preprocessed and
 * publishes those embeddings; a fine-tuning run that does not beat the champion publishes nothing at all (no
 * backbone, no version) while a second run is refused. Ordered: the training set carries over. A fine-tuning run
 * that publishes is {@link FineTuningServiceTest}.
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
    @jakarta.inject.Inject
    org.apache.kafka.streams.KafkaStreams streams;
    private static String publishedVersion;

    @Test
    @Order(1)
    void startsReadyWithAnEmptyTrainingSetAndARunEndsAsInsufficientData() {
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get(managementHealthReady.toString()).then().statusCode(200)
                .body(containsString("training-service-training-set-v4"))
                .body(containsString("random initialisation")));
        given().when().get("/training/set").then().statusCode(200)
                .body("backbone.id", equalTo(BACKBONE)).body("backbone.source", equalTo("BOOTSTRAP"))
                .body("set.labelled", equalTo(0));

        String id = startRun("HEAD");

        Response finished = awaitFinished(id);
        assertThat(finished.path("outcome").toString()).isEqualTo("INSUFFICIENT_DATA");
        assertThat(finished.path("detail").toString()).contains("0 examples");
        given().when().get("/training/runs/" + id + "/report").then().statusCode(200)
                .body("outcome", equalTo("INSUFFICIENT_DATA"));
    }

    @Test
    @Order(2)
    void keepsLabelsWhateverArrivesFirstIncludingOneForAScanNobodyEmbedded() {
        List<TrainingExample> embeddingFirst = DATA.subList(0, DATA.size() / 2);
        List<TrainingExample> labelFirst = DATA.subList(DATA.size() / 2, DATA.size());
        embeddingFirst.forEach(TrainingServiceTest::sendEmbedding);
        labelFirst.forEach(TrainingServiceTest::sendLabel);
        sendLabel(RUN + "-unknown", ClinicalLabel.COVID);
        // Another backbone's embedding of the unknown scan is kept under that backbone, not this one's.
        KAFKA.client().send(EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS, new ScanEmbedding(RUN + "-unknown",
                URI.create("/devices/ct-it"), LABELLED_AT, "p-x", "resnet34:random", new float[512])));
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/training/set").then()
                .body("set.labelled", equalTo(labelFirst.size() + 1)));

        embeddingFirst.forEach(TrainingServiceTest::sendLabel);
        labelFirst.forEach(TrainingServiceTest::sendEmbedding);

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/training/set").then()
                .body("set.labelled", equalTo(DATA.size() + 1))
                .body("set.covid", equalTo((int) DATA.stream().filter(TrainingExample::covid).count() + 1))
                .body("set.patients", equalTo(25)));
        String metrics = given().when().get(managementMetrics.toString()).then().extract().asString();
        assertThat(metrics).contains("scanstream_training_labels_received_total " + (DATA.size() + 1) + ".0")
                .contains("scanstream_training_embeddings_received_total " + (DATA.size() + 1) + ".0");
    }

    @Test
    @Order(3)
    void publishesExactlyOneVersionThatInferenceAcceptsAndThatScoresHeldOutScansWell() throws Exception {
        String id = startRun("HEAD");

        Response finished = awaitFinished(id);
        assertThat(finished.path("outcome").toString()).isEqualTo("PUBLISHED");
        assertThat((Integer) finished.path("epoch")).isEqualTo(20);
        assertThat((Integer) finished.path("trainingSetSize")).isEqualTo(DATA.size()); // the unknown scan has no image
        assertThat((Float) finished.path("latest.trainLoss")).isPositive();
        assertThat((Float) finished.path("latest.validationAccuracy")).isBetween(0f, 1f);
        publishedVersion = finished.path("version");
        assertThat(publishedVersion).matches("v\\d{14}-" + id);

        List<ConsumerRecord<String, byte[]>> records = KAFKA.client().collect(Topics.MODELS_PUBLISHED,
                r -> r.key() != null && r.key().startsWith(MODEL + "/"), 1, TIMEOUT, Duration.ofSeconds(2));
        assertThat(records).hasSize(1);
        assertThat(new String(records.get(0).headers().lastHeader("ce_modelversion").value(), StandardCharsets.UTF_8))
                .isEqualTo(publishedVersion);
        // Signed with the configured key over the record's bytes: inference, trusting its public key, reads it.
        ConsumerRecord<String, byte[]> record = records.get(0);
        TrustedModelKeys trusted = TrustedModelKeys.load(List.of(TestModelSigning.keys().publicKeyFile()));
        TrustedModelKeys.Verification verification = trusted.verify(
                new String(record.headers().lastHeader(ModelSignature.KEY_ID_HEADER).value(), StandardCharsets.UTF_8),
                new String(record.headers().lastHeader(ModelSignature.SIGNATURE_HEADER).value(), StandardCharsets.UTF_8),
                record.value());
        assertThat(verification.outcome()).isEqualTo(TrustedModelKeys.Outcome.VERIFIED);
        ModelArtifact artifact = EventCodecs.MODEL_PUBLISHED.fromRecord(record).artifact();
        assertThat(ModelMetadataCheck.problems(artifact.metadata())).isEmpty();

        // What inference checks before it swaps a head in (ModelVersions.offer), for a replica serving BACKBONE.
        assertThat(artifact.metadata().modelName()).isEqualTo(MODEL);
        assertThat(artifact.integrityVerified()).isTrue();
        assertThat(artifact.metadata().backboneId()).isEqualTo(BACKBONE);
        assertThat(artifact.metadata().backbone().source()).isEqualTo(BackboneRef.Source.BOOTSTRAP);
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
        assertThat(KAFKA.client().collect(Topics.MODELS_PUBLISHED, r -> r.key() != null && r.key().startsWith(MODEL + "/"), 2, Duration.ofSeconds(5)))
                .hasSize(1);
    }

    @Test
    @Order(5)
    void aHeadRunEmbedsLabelledScansTheBackboneHasNoEmbeddingOfAndPublishesThem() {
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
                .body("set.labelled", equalTo(DATA.size() + 1 + 16)));

        Response finished = awaitFinished(startRun("HEAD"));

        assertThat((Integer) finished.path("trainingSetSize")).isEqualTo(DATA.size() + 16);
        // Trained on more labels than the champion, and not significantly worse on the rows both can be judged on.
        assertThat(finished.path("outcome").toString()).isEqualTo("PUBLISHED");
        List<ConsumerRecord<String, byte[]>> computed = KAFKA.client().collect(Topics.SCANS_EMBEDDINGS,
                r -> r.key().startsWith(RUN + "-pre-"), 16, TIMEOUT, Duration.ofSeconds(2));
        assertThat(computed).hasSize(16).allSatisfy(r -> {
            ScanEmbedding e = EventCodecs.EMBEDDED.fromRecord(r);
            assertThat(e.backboneId()).isEqualTo(BACKBONE);
            assertThat(e.vector()).hasSize(DIM);
            assertThat(e.patientPseudonym()).startsWith("service-test-pre-patient-");
        });
    }

    @Test
    @Order(6)
    void aFineTuningRunThatDoesNotBeatTheChampionPublishesNoBackboneAndNoVersion() throws Exception {
        int versionsBefore = KAFKA.client().collect(Topics.MODELS_PUBLISHED, r -> r.key() != null && r.key().startsWith(MODEL + "/"), 10,
                Duration.ofSeconds(3)).size();
        String id = startRun("FULL_NETWORK");
        given().when().post("/training/runs").then().statusCode(409).body("activeRun", equalTo(id));

        Response finished = awaitFinished(id);

        // 16 scans with images against a champion trained on about 48: too few shared rows for a significant
        // difference, and the champion was trained on more labels.
        assertThat(finished.path("outcome").toString()).isEqualTo("GATED_OUT");
        assertThat((Integer) finished.path("epochs")).isEqualTo(1);
        Response report = given().when().get("/training/runs/" + id + "/report").then().statusCode(200).extract()
                .response();
        assertThat(report.<String>path("settings.fineTunedFrom")).isEqualTo(BACKBONE);
        String newBackbone = report.path("settings.newBackbone.id");
        // served as int8 by default (training.backbones.served-as): the float weights' id, then the ranges'
        assertThat(newBackbone).matches("mobilenet_v2:[0-9a-f]{12}-int8-[0-9a-f]{12}");
        assertThat(report.<String>path("settings.newBackbone.servedAs")).isEqualTo("int8");
        assertThat(report.<String>path("backboneId")).isEqualTo(newBackbone);
        assertThat(report.<Boolean>path("gate.publish")).isFalse();
        assertThat(KAFKA.client().collect(Topics.MODELS_BACKBONES, r -> true, 1, Duration.ofSeconds(3))).isEmpty();
        assertThat(KAFKA.client().collect(Topics.MODELS_PUBLISHED, r -> r.key() != null && r.key().startsWith(MODEL + "/"), 10,
                Duration.ofSeconds(3))).hasSize(versionsBefore);
    }

    @Test
    @Order(7)
    void exposesTheTrainingMetrics() {
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_training_runs_started_total{mode=\"head\",trigger=\"api\"} 4.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"head\",outcome=\"published\"} 2.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"head\",outcome=\"gated_out\"} 1.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"head\",outcome=\"insufficient_data\"} 1.0"))
                .body(containsString("scanstream_training_runs_completed_total{mode=\"full_network\",outcome=\"gated_out\"} 1.0"))
                .body(containsString("scanstream_training_versions_published_total 2.0"))
                .body(containsString("scanstream_training_run_duration_seconds_count{mode=\"head\"} 4"))
                .body(containsString("scanstream_training_current_epoch"))
                .body(containsString("scanstream_training_last_validation_auc"))
                .body(containsString("scanstream_training_set_size"))
                .body(containsString("scanstream_training_run_active 0.0"))
                .body(containsString("scanstream_training_pending_entries{kind=\"unlabelled_scan\"}"))
                .body(containsString("scanstream_training_pending_entries{kind=\"orphan_label\"}"))
                .body(containsString("scanstream_training_pending_expired_total{kind=\"orphan_label\",reason=\"age\"} 0.0"));
        given().when().get("/training/runs").then().statusCode(200).body("size()", equalTo(5));
        given().when().get("/training/runs/nope").then().statusCode(404);
    }

    @Test
    @Order(8)
    void reportsTheCommittedLagOfItsStreamsGroupAndCountsOrphanLabels() {
        String group = "training-service-training-set-v4";
        double orphansBefore = metric("scanstream_training_pending_entries\\{kind=\"orphan_label\"[^}]*}");
        awaitLag(group, Topics.SCANS_LABELS, lag -> assertThat(lag).isEqualTo(0.0));
        // Paused, the Streams client commits nothing: three labels stay on the topic as the group's committed lag.
        streams.pause();
        try {
            for (int i = 0; i < 3; i++) {
                sendLabel(RUN + "-lag-" + i, ClinicalLabel.COVID);
            }
            awaitLag(group, Topics.SCANS_LABELS, lag -> assertThat(lag).isEqualTo(3.0));
        } finally {
            streams.resume();
        }
        awaitLag(group, Topics.SCANS_LABELS, lag -> assertThat(lag).isEqualTo(0.0));
        // Labels for scans the training set has never seen: pending as orphans (until training.pending.orphan-label-ttl).
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
                metric("scanstream_training_pending_entries\\{kind=\"orphan_label\"[^}]*}"))
                .isEqualTo(orphansBefore + 3));
        for (String topic : List.of(Topics.SCANS_EMBEDDINGS, Topics.SCANS_PREPROCESSED)) {
            awaitLag(group, topic, lag -> assertThat(lag).isEqualTo(0.0));
        }
    }

    /** Waits until the lag gauge (read every 2 s in tests) of the group on the topic satisfies {@code check}. */
    private void awaitLag(String group, String topic, java.util.function.Consumer<Double> check) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> check.accept(metric(
                "scanstream_consumer_group_lag\\{[^}]*group=\"" + group + "\"[^}]*topic=\""
                        + java.util.regex.Pattern.quote(topic) + "\"[^}]*}")));
    }

    /** The value of the first exported line matching {@code series} (a regular expression of name and labels). */
    private double metric(String series) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(series + " (\\S+)").matcher(
                given().get(managementMetrics.toString()).then().statusCode(200).extract().asString());
        assertThat(m.find()).as("%s is exported", series).isTrue();
        return Double.parseDouble(m.group(1));
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
