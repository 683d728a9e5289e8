package io.scanstream.training.service;

import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.Topics;
import io.scanstream.testing.kafka.KafkaTestClient;
import io.scanstream.training.SyntheticEmbeddings;
import io.scanstream.training.domain.TrainingExample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The schedule trigger through the real broker: with {@code training.trigger.interval=2s} (and no label-count
 * trigger), labels that join start a run with trigger SCHEDULE without anyone asking; once it has run, ticks with
 * no new or changed label start nothing; a relabel starts the next scheduled run.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@TestProfile(ScheduledTriggerTest.EveryTwoSeconds.class)
@WithTestResource(OwnBroker.class)
class ScheduledTriggerTest {

    public static class EveryTwoSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("training.trigger.interval", "2s", "training.trigger.every-labels", "0",
                    "training.head.epochs", "3");
        }
    }

    private static final String BACKBONE = "mobilenet_v2:random";
    private static final OffsetDateTime LABELLED_AT = OffsetDateTime.parse("2026-11-26T09:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static KafkaTestClient kafka;

    @AfterAll
    static void closeClient() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void joinedLabelsStartAScheduledRunAndQuietTicksStartNothing() throws Exception {
        kafka = new KafkaTestClient(OwnBroker.bootstrapServers());
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<TrainingExample> data = SyntheticEmbeddings.examples(run, "schedule-test", 6, 2, 1280, 0.6, BACKBONE, 41);
        for (TrainingExample row : data) {
            kafka.send(EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS, new ScanEmbedding(row.scanId(),
                    URI.create("/devices/ct-it"), LABELLED_AT.minusDays(1), row.patient(), BACKBONE, row.vector())));
            kafka.send(EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS,
                    new ScanLabel(row.scanId(), row.label(), "dr-it", LABELLED_AT)));
        }

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(finishedScheduledRuns()).isGreaterThanOrEqualTo(1));
        // Labels may have joined over two ticks: wait until a tick finds nothing new, then watch several more.
        await().atMost(TIMEOUT).pollDelay(Duration.ofSeconds(5)).until(() -> {
            int before = scheduledRuns();
            Thread.sleep(5000);
            return scheduledRuns() == before && finishedScheduledRuns() == before;
        });
        int quiet = scheduledRuns();
        Thread.sleep(6000); // three ticks with nothing new
        assertThat(scheduledRuns()).isEqualTo(quiet);

        TrainingExample first = data.get(0);
        kafka.send(EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, new ScanLabel(first.scanId(),
                first.covid() ? io.scanstream.core.contract.ClinicalLabel.NON_COVID
                        : io.scanstream.core.contract.ClinicalLabel.COVID, "dr-it", LABELLED_AT.plusHours(1))));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(scheduledRuns()).isEqualTo(quiet + 1));
    }

    private static int scheduledRuns() {
        List<String> triggers = given().when().get("/training/runs").then().statusCode(200).extract()
                .jsonPath().getList("trigger", String.class);
        return (int) triggers.stream().filter("SCHEDULE"::equals).count();
    }

    private static int finishedScheduledRuns() {
        List<Map<String, Object>> runs = given().when().get("/training/runs").then().statusCode(200).extract()
                .jsonPath().getList("$");
        return (int) runs.stream().filter(r -> "SCHEDULE".equals(r.get("trigger")) && "FINISHED".equals(r.get("state")))
                .count();
    }
}
