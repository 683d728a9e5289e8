package io.scanstream.training.service;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import io.scanstream.testing.security.TestModelSigning;
import io.scanstream.testing.security.TestTokens;
import io.scanstream.training.domain.ChampionSource;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * Version history and rollback through the real broker: two versions published, {@code GET /models} lists them
 * newest first with the newest serving; an operator's rollback to the first publishes a new record under a key
 * of its own (both earlier records stay on the topic), after which the first version serves, is training's
 * champion (its weights and lineage) and the listing says so. Unknown versions 404, the version in service 409,
 * no version 400; no token 401, a clinician rolling back 403.
 */
@QuarkusTest
@TestProfile(ModelHistoryServiceTest.History.class)
@WithTestResource(KafkaBrokerTestResource.class)
class ModelHistoryServiceTest {

    public static class History implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("training.model.name", MODEL);
        }
    }

    private static final String MODEL = "covid-head-history-it";
    /** The bootstrap backbone of the test profile (no weights configured, seed 42). */
    private static final String BACKBONE = "mobilenet_v2:random";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();

    @Inject
    ChampionSource champions;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void anOperatorRollsBackToAnOlderVersionWhichThenServesAndIsTheChampion() {
        ModelArtifact v1 = version("v1-" + run, 1);
        ModelArtifact v2 = version("v2-" + run, 2);
        publish(v1);
        publish(v2);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(list(Roles.CLINICIAN).jsonPath()
                .getList("version", String.class)).containsExactly(v2.metadata().version(), v1.metadata().version()));
        Response before = list(Roles.OPERATOR);
        assertThat(before.jsonPath().getList("serving", Boolean.class)).containsExactly(true, false);
        assertThat(before.jsonPath().getString("[0].mode")).isEqualTo("HEAD");
        assertThat(before.jsonPath().getString("[0].backboneId")).isEqualTo(BACKBONE);
        assertThat(before.jsonPath().getString("[0].runId")).isEqualTo("run-2");
        assertThat(before.jsonPath().getDouble("[0].metrics.auc")).isEqualTo(0.82);
        assertThat(before.jsonPath().getMap("[0]")).as("rollbackOf is there, null").containsEntry("rollbackOf", null);
        assertThat(before.jsonPath().getString("[1].createdAt")).isEqualTo("2026-12-01T10:01:00Z");

        Response accepted = rollback(Roles.OPERATOR, v1.metadata().version()).then().statusCode(202).extract().response();
        String rollbackVersion = accepted.jsonPath().getString("version");
        assertThat(accepted.jsonPath().getString("rollbackOf")).isEqualTo(v1.metadata().version());
        assertThat(rollbackVersion).isNotIn(v1.metadata().version(), v2.metadata().version());

        Response after = list(Roles.CLINICIAN);
        assertThat(after.jsonPath().getList("version", String.class))
                .containsExactly(rollbackVersion, v2.metadata().version(), v1.metadata().version());
        assertThat(after.jsonPath().getList("serving", Boolean.class)).containsExactly(false, false, true);
        assertThat(after.jsonPath().getString("[0].rollbackOf")).isEqualTo(v1.metadata().version());

        ModelArtifact champion = champions.current(MODEL).orElseThrow();
        assertThat(champion.metadata().version()).isEqualTo(rollbackVersion);
        assertThat(champion.metadata().servedVersion()).isEqualTo(v1.metadata().version());
        assertThat(champion.weights()).isEqualTo(v1.weights());
        assertThat(champion.metadata().metrics()).isEqualTo(v1.metadata().metrics());

        // Every version stays on the topic under its own key; the rollback record is signed like any version.
        List<ConsumerRecord<String, byte[]>> records = KAFKA.client().collect(Topics.MODELS_PUBLISHED,
                r -> r.key() != null && r.key().startsWith(MODEL + "/"), 3, TIMEOUT);
        assertThat(records).extracting(ConsumerRecord::key).contains(MODEL + "/" + v1.metadata().version(),
                MODEL + "/" + v2.metadata().version());
        assertThat(records.get(records.size() - 1).headers().lastHeader("ce_signature")).isNotNull();

        rollback(Roles.OPERATOR, v1.metadata().version()).then().statusCode(409)
                .body("error", containsString("in service already"));
        rollback(Roles.OPERATOR, "v-unknown-" + run).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer("ops", Roles.OPERATOR)).contentType(ContentType.JSON)
                .body("{}").when().post("/models/rollback").then().statusCode(400);
    }

    @Test
    void listingNeedsAClinicianOrOperatorAndRollingBackAnOperator() {
        given().when().get("/models").then().statusCode(401);
        given().header("Authorization", TestTokens.bearer("/devices/cam", Roles.DEVICE)).when().get("/models")
                .then().statusCode(403);
        given().contentType(ContentType.JSON).body("{\"version\":\"v1\"}").when().post("/models/rollback")
                .then().statusCode(401);
        rollback(Roles.CLINICIAN, "v1").then().statusCode(403);
        rollback(Roles.DEVICE, "v1").then().statusCode(403);
    }

    private static Response list(String role) {
        return given().header("Authorization", TestTokens.bearer("someone", role)).when().get("/models")
                .then().statusCode(200).extract().response();
    }


    private static Response rollback(String role, String version) {
        return given().header("Authorization", TestTokens.bearer("someone", role)).contentType(ContentType.JSON)
                .body(Map.of("version", version)).when().post("/models/rollback");
    }

    private static ModelArtifact version(String version, int seed) {
        byte[] weights = new byte[256];
        new Random(seed).nextBytes(weights);
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8 + seed / 100.0, 0.75, 0.7, 0.8, 0.7, 0.4, null, 10, 2);
        return new ModelArtifact(new ModelMetadata(MODEL, version, OffsetDateTime.parse("2026-12-01T10:00:00Z")
                .plusMinutes(seed), BACKBONE, HeadArchitecture.standard(1280, 0.2), metrics, Sha256.hex(weights),
                "run-" + seed, null), weights);
    }

    private static void publish(ModelArtifact artifact) {
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                TestModelSigning.signer()));
    }
}
