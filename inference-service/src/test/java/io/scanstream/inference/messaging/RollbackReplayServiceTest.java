package io.scanstream.inference.messaging;

import io.scanstream.inference.TestHeads;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.KafkaTestClient;
import io.scanstream.testing.security.TestModelSigning;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.URL;
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
 * A replica that starts after v1, v2 and a rollback to v1 were published, with scans already waiting: it replays
 * the models topic to its end before it takes a scan, so every one of those scans gets exactly one prediction, made
 * by v1's head and carrying v1's id (never UNDETERMINED, never v2). Before the fix the loop polled scans while the
 * models topic was still being read, and the first predictions were UNDETERMINED or v2's; and before the key
 * change compaction could keep only the last record per model name. Then, in service, a new version swaps in and a
 * rollback record to v1 swaps v1's head back: the scans after it carry v1.
 */
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@TestProfile(RollbackReplayServiceTest.Rollback.class)
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(RollbackReplayServiceTest.PublishedBeforeStart.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollbackReplayServiceTest {

    public static class Rollback implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.model.name", MODEL);
        }
    }

    private static final String MODEL = "covid-head-rollback-it";
    private static final String BACKBONE = "mobilenet_v2:random";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String V1 = "v1-" + RUN;
    private static final String V2 = "v2-" + RUN;
    private static final String ROLLBACK = "v3-rollback-" + RUN;
    private static final int SCANS = 12;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementReady;

    /** Publishes the versions and the scans before the application starts (test resources start first). */
    public static class PublishedBeforeStart implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try (KafkaTestClient kafka = KafkaTestClient.forSharedBroker()) {
                ModelArtifact v1 = head(V1, 1);
                publish(kafka, v1);
                publish(kafka, head(V2, 2));
                publish(kafka, new ModelArtifact(v1.metadata().asRollback(ROLLBACK, OffsetDateTime.now()),
                        v1.weights()));
                SyntheticCtGenerator generator = new SyntheticCtGenerator(91);
                for (String id : scanIds()) {
                    int i = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
                    var image = AntialiasedResizer.resize(generator.render(i, generator.labelOf(i), 256, 256), 224, 224);
                    kafka.send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(id,
                            URI.create("/devices/ct-test"), OffsetDateTime.parse("2026-12-01T12:00:00Z"), "p-test",
                            Sha256.hex(image.pixels()), ImageFormat.PNG, 256, 256, image)));
                }
            }
            return Map.of();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    @Order(1)
    void scansWaitingAtStartAreAllServedByTheVersionTheNewestRecordRestores() {
        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get(managementReady.toString()).then()
                .statusCode(200).body(containsString("replayed")));
        given().when().get("/model").then().statusCode(200).body("headVersion", equalTo(V1));

        Set<String> wanted = Set.copyOf(scanIds());
        List<ConsumerRecord<String, byte[]>> records;
        try (KafkaTestClient kafka = KafkaTestClient.forSharedBroker()) {
            records = kafka.collect(Topics.SCANS_PREDICTIONS, r -> r.key() != null && wanted.contains(r.key()),
                    SCANS, TIMEOUT, Duration.ofSeconds(2));
        }
        List<ScanPrediction> predictions = records.stream().map(EventCodecs.PREDICTED::fromRecord).toList();
        assertThat(predictions.stream().collect(Collectors.groupingBy(ScanPrediction::scanId, Collectors.counting())))
                .as("one prediction per scan").hasSize(SCANS).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(predictions).allSatisfy(p -> {
            assertThat(p.label()).isNotEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.modelVersion()).isEqualTo(V1);
            assertThat(p.backbone()).isEqualTo(BACKBONE);
        });
    }

    /** In service: a new version swaps in, then a rollback record to v1 swaps v1's head back in. */
    @Test
    @Order(2)
    void aRollbackPublishedWhileServingSwapsTheRestoredVersionInAndItsScansSaySo() {
        String v4 = "v4-" + RUN;
        try (KafkaTestClient kafka = KafkaTestClient.forSharedBroker()) {
            ModelArtifact v1 = head(V1, 1);
            publish(kafka, head(v4, 4));
            await().atMost(TIMEOUT).untilAsserted(() ->
                    given().when().get("/model").then().statusCode(200).body("headVersion", equalTo(v4)));
            assertThat(versionsOf(kafka, send(kafka, "after-v4", 4))).containsOnly(v4);

            publish(kafka, new ModelArtifact(v1.metadata().asRollback("v5-rollback-" + RUN, OffsetDateTime.now()),
                    v1.weights()));
            await().atMost(TIMEOUT).untilAsserted(() ->
                    given().when().get("/model").then().statusCode(200).body("headVersion", equalTo(V1)));
            assertThat(versionsOf(kafka, send(kafka, "after-rollback", 4))).containsOnly(V1);
        }
    }

    private static List<String> send(KafkaTestClient kafka, String tag, int n) {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(92);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = RUN + "-" + tag + "-" + i;
            var image = AntialiasedResizer.resize(generator.render(i, generator.labelOf(i), 256, 256), 224, 224);
            kafka.send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(id,
                    URI.create("/devices/ct-test"), OffsetDateTime.parse("2026-12-01T12:00:00Z"), "p-test",
                    Sha256.hex(image.pixels()), ImageFormat.PNG, 256, 256, image)));
            ids.add(id);
        }
        return ids;
    }

    /** The version of each scan's one prediction. */
    private static List<String> versionsOf(KafkaTestClient kafka, List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        List<ScanPrediction> predictions = kafka.collect(Topics.SCANS_PREDICTIONS,
                        r -> r.key() != null && wanted.contains(r.key()), ids.size(), TIMEOUT, Duration.ofSeconds(1))
                .stream().map(EventCodecs.PREDICTED::fromRecord).toList();
        assertThat(predictions).extracting(ScanPrediction::scanId).containsExactlyInAnyOrderElementsOf(ids);
        return predictions.stream().map(ScanPrediction::modelVersion).toList();
    }

    private static List<String> scanIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SCANS; i++) {
            ids.add(RUN + "-waiting-" + i);
        }
        return ids;
    }

    private static ModelArtifact head(String version, long seed) {
        return TestHeads.random(MODEL, version, BACKBONE, seed, 0.4);
    }

    private static void publish(KafkaTestClient kafka, ModelArtifact artifact) {
        kafka.send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                TestModelSigning.signer()));
    }
}
