package io.scanstream.training.service;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.EventTypes;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaTestClient;
import io.scanstream.training.messaging.BackboneRetention;
import io.scanstream.training.messaging.PublishedBackbones;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Fine-tuning through a broker of its own (so that no other test's labels are in the set): labels start a
 * fine-tuning run (every 16 labels), which publishes the backbone in chunks with its manifest, the embeddings under
 * it and a v2 version that refers to it; the next head run trains on that backbone, fetched from Kafka and
 * verified, embedding the scans labelled after the run; backbones no version refers to are retired once older than
 * the retention, with tombstones.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@TestProfile(FineTuningServiceTest.FineTuneEvery16Labels.class)
@WithTestResource(OwnBroker.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FineTuningServiceTest {

    public static class FineTuneEvery16Labels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("training.model.name", MODEL,
                    "training.fine-tune.every-labels", String.valueOf(FINE_TUNE_EVERY),
                    "training.trigger.every-labels", "0", "training.trigger.interval", "off",
                    "training.head.epochs", "5");
        }
    }

    private static final String MODEL = "covid-finetune-it";
    private static final String BOOTSTRAP = "mobilenet_v2:random";
    private static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-30T08:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int SCANS = 20;
    private static final int FINE_TUNE_EVERY = 16;
    private static KafkaTestClient kafka;
    private static BackboneManifest published;

    @Inject
    PublishedBackbones backbones;
    @Inject
    BackboneRetention retention;

    @AfterAll
    static void closeClient() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Order(1)
    void labelsStartAFineTuningRunThatPublishesTheBackboneItsEmbeddingsAndAVersionReferringToIt() throws Exception {
        kafka = new KafkaTestClient(OwnBroker.bootstrapServers());
        SyntheticCtGenerator generator = new SyntheticCtGenerator(23);
        for (int i = 0; i < SCANS; i++) {
            String scanId = "ft-scan-" + i;
            ClinicalLabel label = label(i);
            GreyImage image = generator.render(i, label, 224, 224);
            kafka.send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(scanId,
                    URI.create("/devices/ct-ft"), AT, "ft-patient-" + i, Sha256.hex(image.pixels()), ImageFormat.PNG,
                    224, 224, image, "site-" + i)));
        }
        // Exactly the trigger's count, so the run's set is known: with all 20 sent at once the run started at the
        // 16th and took whichever of the last 4 had arrived by then (CI saw 16 once, 20 otherwise).
        sendLabels(0, FINE_TUNE_EVERY);

        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(given().when().get("/training/runs").then().extract().jsonPath()
                        .<String>getList("findAll { it.mode == 'FULL_NETWORK' && it.state == 'FINISHED' }.outcome"))
                        .containsExactly("PUBLISHED"));
        Map<String, Object> run = given().when().get("/training/runs").then().extract().jsonPath()
                .getMap("find { it.mode == 'FULL_NETWORK' }");
        assertThat(run.get("trigger")).isEqualTo("LABELS");

        // The backbone: chunks, then the manifest; they assemble to the bytes the manifest names.
        List<ConsumerRecord<String, byte[]>> records = kafka.collect(Topics.MODELS_BACKBONES, r -> true, 100,
                Duration.ofSeconds(10), Duration.ofSeconds(3));
        ConsumerRecord<String, byte[]> manifestRecord = records.stream().filter(r -> EventTypes.BACKBONE_MANIFEST
                .equals(header(r, "ce_type"))).findFirst().orElseThrow();
        published = EventCodecs.BACKBONE_MANIFEST.fromRecord(manifestRecord);
        assertThat(records.indexOf(manifestRecord)).isEqualTo(records.size() - 1);
        BackboneChunks.Assembler assembler = new BackboneChunks.Assembler();
        records.stream().filter(r -> r != manifestRecord).map(EventCodecs.BACKBONE_CHUNK::fromRecord)
                .forEach(c -> assembler.chunk(c.index(), c.bytes()));
        assertThat(assembler.assemble(published)).isInstanceOf(BackboneChunks.Complete.class);
        assertThat(published.chunks()).isEqualTo(records.size() - 1).isGreaterThan(1);
        assertThat(published.fineTunedFrom()).isEqualTo(BOOTSTRAP);

        // The version refers to it, with the lineage of what both were trained on.
        List<ConsumerRecord<String, byte[]>> versions = kafka.collect(Topics.MODELS_PUBLISHED,
                r -> r.key() != null && r.key().startsWith(MODEL + "/"), 1, Duration.ofSeconds(10), Duration.ofSeconds(2));
        assertThat(versions).hasSize(1);
        ModelArtifact version = EventCodecs.MODEL_PUBLISHED.fromRecord(versions.get(0)).artifact();
        assertThat(version.metadata().backbone()).isEqualTo(published.reference());
        assertThat(version.metadata().backboneId()).isEqualTo(published.backboneId());
        assertThat(version.metadata().trainedOn()).isEqualTo(published.trainedOn());
        assertThat(header(versions.get(0), "ce_type")).isEqualTo(EventTypes.MODEL_PUBLISHED_V2);
        // The v2 record is signed over its bytes, which name the backbone's sha256 and size (so the signature binds
        // the manifest, and through its sha256 the chunks).
        assertThat(io.scanstream.core.signing.TrustedModelKeys.load(List.of(
                        io.scanstream.testing.security.TestModelSigning.keys().publicKeyFile()))
                .verify(header(versions.get(0), "ce_signaturekeyid"), header(versions.get(0), "ce_signature"),
                        versions.get(0).value()).verified()).isTrue();
        assertThat(version.metadata().backbone().sha256()).isEqualTo(published.sha256());
        assertThat(version.metadata().backbone().sizeBytes()).isEqualTo(published.sizeBytes());

        // The embeddings under the new backbone: head runs continue on it without recomputing.
        List<ConsumerRecord<String, byte[]>> embeddings = kafka.collect(Topics.SCANS_EMBEDDINGS, r -> true,
                FINE_TUNE_EVERY, Duration.ofSeconds(10), Duration.ofSeconds(2));
        assertThat(embeddings).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, FINE_TUNE_EVERY).mapToObj(i -> "ft-scan-" + i).toList());
        assertThat(embeddings).allSatisfy(r -> {
            ScanEmbedding e = EventCodecs.EMBEDDED.fromRecord(r);
            assertThat(e.backboneId()).isEqualTo(published.backboneId());
            assertThat(e.origin()).startsWith("site-");
        });

        // Labels after the run: the next head run embeds those scans under the new backbone itself.
        sendLabels(FINE_TUNE_EVERY, SCANS);
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/training/set").then()
                .body("set.labelled", equalTo(SCANS)));
    }

    private static void sendLabels(int from, int to) {
        for (int i = from; i < to; i++) {
            kafka.send(EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, new ScanLabel("ft-scan-" + i, label(i),
                    "dr-ft", AT)));
        }
    }

    private static ClinicalLabel label(int scan) {
        return scan % 2 == 0 ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
    }

    @Test
    @Order(2)
    void theNextHeadRunTrainsOnThePublishedBackboneFetchedFromKafka() {
        String id = given().queryParam("mode", "HEAD").when().post("/training/runs").then().statusCode(202)
                .extract().path("id");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> given().when()
                .get("/training/runs/" + id).then().body("state", equalTo("FINISHED")));
        Response report = given().when().get("/training/runs/" + id + "/report").then().statusCode(200).extract()
                .response();

        assertThat(report.<String>path("backboneId")).isEqualTo(published.backboneId());
        assertThat((Integer) report.path("data.examples")).isEqualTo(SCANS);
        given().when().get("/training/set").then().body("backbone.id", equalTo(published.backboneId()))
                .body("backbone.source", equalTo("PUBLISHED"));
    }

    @Test
    @Order(3)
    void retiresBackbonesNoVersionRefersToOnceOlderThanTheRetention() {
        byte[] old = new byte[] {1, 2, 3};
        byte[] recent = new byte[] {4, 5, 6};
        BackboneManifest oldManifest = stray("mobilenet_v2:0000000000aa", old,
                Instant.now().minus(Duration.ofDays(30)));
        backbones.publish(oldManifest, old);
        backbones.publish(stray("mobilenet_v2:0000000000bb", recent, Instant.now()), recent);
        var cached = backbones.fetch(oldManifest.reference()).weights(); // fetched once: now in the cache folder
        assertThat(cached).exists();

        List<String> retired = retention.retire(Instant.now());

        assertThat(retired).containsExactly("mobilenet_v2:0000000000aa");
        assertThat(cached).doesNotExist(); // the cache follows the topic
        List<ConsumerRecord<String, byte[]>> tombstones = kafka.collect(Topics.MODELS_BACKBONES,
                r -> r.value() == null, 2, Duration.ofSeconds(10), Duration.ofSeconds(2));
        assertThat(tombstones).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(
                BackboneManifest.chunkKey("mobilenet_v2:0000000000aa", 0),
                BackboneManifest.manifestKey("mobilenet_v2:0000000000aa"));
        assertThat(retention.retire(Instant.now())).isEmpty(); // the referenced one and the recent one stay
    }

    private static BackboneManifest stray(String id, byte[] bytes, Instant createdAt) {
        return new BackboneManifest(id, "mobilenet_v2", "final", BackboneManifest.DJL_PARAMETERS, bytes.length,
                Sha256.hex(bytes), 1 << 20, 1, createdAt.atOffset(ZoneOffset.UTC), null, null, ScanSet.EMPTY);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
