package io.scanstream.inference.messaging;

import ai.djl.Model;
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
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.head.HeadBlocks;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import io.scanstream.testing.security.TestModelSigning;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A published head version whose outputs are NaN, through the real broker: its scans end as INTERNAL rejections
 * (stage inference), one outcome each, the loop keeps running, and after the configured run of non-finite outputs
 * the version is withdrawn: later scans each get one UNDETERMINED prediction. Before the fix the first NaN threw
 * inside the loop's open transaction, the loop went FAILED and no later scan got an outcome.
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

    private static final String BACKBONE = "mobilenet_v2:random";
    private static final String MODEL = "covid-head-poison-it";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(78);

    @Test
    void aHeadThatOutputsNaNEndsAsRejectionsAndIsWithdrawnWhileEveryLaterScanGetsOneOutcome() {
        publish(nanHead("v-nan"));
        await().atMost(TIMEOUT).untilAsserted(() ->
                given().when().get("/model").then().statusCode(200).body("headVersion", equalTo("v-nan")));

        List<String> poisoned = send("poisoned", 10);
        Map<String, List<Object>> first = outcomes(poisoned);
        assertThat(first).hasSize(poisoned.size()).allSatisfy((id, list) -> assertThat(list).hasSize(1));
        List<ScanRejected> rejections = first.values().stream().map(l -> l.get(0))
                .filter(ScanRejected.class::isInstance).map(ScanRejected.class::cast).toList();
        assertThat(rejections).hasSizeGreaterThanOrEqualTo(3).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(RejectionReason.INTERNAL);
            assertThat(r.stage()).isEqualTo("inference");
            assertThat(r.detail()).contains("non-finite").contains("v-nan");
        });
        assertThat(first.values().stream().map(l -> l.get(0)).filter(ScanPrediction.class::isInstance)
                .map(ScanPrediction.class::cast)).allSatisfy(p -> {
            assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.modelVersion()).isNull();
        });

        // Withdrawn: every later scan gets exactly one prediction, UNDETERMINED, from the same backbone.
        List<String> later = send("later", 12);
        Map<String, List<Object>> second = outcomes(later);
        assertThat(second).hasSize(later.size()).allSatisfy((id, list) -> {
            assertThat(list).singleElement().isInstanceOf(ScanPrediction.class);
            ScanPrediction p = (ScanPrediction) list.get(0);
            assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.backbone()).isEqualTo(BACKBONE);
        });

        given().when().get(managementHealthLive.toString()).then().statusCode(200);
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_inference_model_withdrawn_total 1.0"))
                .body(containsString("scanstream_inference_non_finite_outputs_total"))
                .body(containsString("scanstream_inference_batcher_alive 1.0"));
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

    /** A head of the right shape whose every parameter is NaN: it loads, and every output is NaN. */
    private static ModelArtifact nanHead(String version) {
        HeadArchitecture architecture = HeadArchitecture.standard(1280, 0.2);
        byte[] weights;
        try (Model model = HeadBlocks.newModel(architecture)) {
            Block block = model.getBlock();
            HeadBlocks.initialise(block, architecture, model.getNDManager(), 9);
            for (Pair<String, Parameter> p : block.getParameters()) {
                p.getValue().getArray().muli(Float.NaN);
            }
            weights = HeadBlocks.weightsBytes(block);
        }
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.8, 0.7, 0.4, null, 10, 2);
        return new ModelArtifact(new ModelMetadata(MODEL, version, OffsetDateTime.now(), BACKBONE, architecture,
                metrics, Sha256.hex(weights), null, null), weights);
    }

    private static void publish(ModelArtifact artifact) {
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                TestModelSigning.signer()));
    }
}
