package io.scanstream.inference.messaging;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.settings.TrainerSettings;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.TrainedHead;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * ONNX Runtime serving through the real broker: {@code inference.model.backbone-weights} is an {@code .onnx} file
 * (the project's own export of MobileNetV2 weights this test makes), so the service runs the backbone on ONNX
 * Runtime. Its embeddings carry the id of the weights — the same as the {@code .params} file they were exported
 * from, so a training service on PyTorch embeds under the same id — and equal PyTorch's; a head trained by
 * scan-learning's {@link HeadTrainer} on those embeddings and the scans' labels is accepted and serves, its
 * predictions being what that head computes from the published embeddings.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "test-operator", roles = {Roles.OPERATOR, Roles.CLINICIAN})
@QuarkusTest
@TestProfile(OnnxRuntimeServiceTest.OnnxWeights.class)
@WithTestResource(KafkaBrokerTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnnxRuntimeServiceTest {

    private static final String MODEL = "covid-head-onnx-it";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int LABELLED = 24;
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    /** What the first test published, for the second: labelled scans' images and embeddings. */
    private static final Map<String, GreyImage> IMAGES = new LinkedHashMap<>();
    private static final Map<String, ClinicalLabel> LABELS = new LinkedHashMap<>();
    private static final Map<String, float[]> EMBEDDINGS = new LinkedHashMap<>();
    private static String backboneId;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Inject
    ModelVersions versions;

    /** Weights made once per test JVM, before the service starts: seeded MobileNetV2 parameters and their ONNX export. */
    public static class OnnxWeights implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.model.backbone-weights", OnnxTestWeights.onnx().toString(),
                    "inference.model.name", MODEL);
        }
    }

    @Test
    @Order(1)
    void servesOnOnnxRuntimeUnderTheIdOfTheWeightsWithPyTorchsEmbeddings() throws Exception {
        assertThat(versions.currentBackbone().engine()).isEqualTo("onnxruntime");
        String id = FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                OnnxTestWeights.params()));
        assertThat(id).matches("mobilenet_v2:[0-9a-f]{12}").isEqualTo(OnnxTestWeights.exportedId())
                .isEqualTo(FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                        OnnxTestWeights.onnx())));
        backboneId = id;
        given().when().get("/model").then().statusCode(200).body("backbone", equalTo(id))
                .body("featureDim", equalTo(1280));

        List<String> ids = send("labelled", LABELLED, true);
        Map<String, ScanEmbedding> embeddings = embeddings(ids);
        assertThat(embeddings).hasSize(LABELLED);
        embeddings.values().forEach(e -> {
            assertThat(e.backboneId()).isEqualTo(id);
            assertThat(e.vector()).hasSize(1280);
        });

        try (FeatureExtractor pytorch = FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                OnnxTestWeights.params()), 0)) {
            assertThat(pytorch.engine()).isEqualTo("pytorch");
            assertThat(pytorch.backboneId()).isEqualTo(id);
            List<GreyImage> images = ids.stream().map(IMAGES::get).toList();
            float[][] expected = new float[ids.size()][];
            for (int from = 0; from < ids.size(); from += 8) {
                float[][] batch = pytorch.embed(images.subList(from, Math.min(from + 8, ids.size())), 8);
                System.arraycopy(batch, 0, expected, from, batch.length);
            }
            double scale = 1e-6;
            double difference = 0;
            for (int i = 0; i < ids.size(); i++) {
                float[] served = embeddings.get(ids.get(i)).vector();
                for (int j = 0; j < served.length; j++) {
                    scale = Math.max(scale, Math.abs(expected[i][j]));
                    difference = Math.max(difference, Math.abs(expected[i][j] - served[j]));
                }
            }
            assertThat(difference / scale).as("ONNX Runtime vs PyTorch, relative").isLessThan(1e-4);
        }
        embeddings.forEach((scan, e) -> EMBEDDINGS.put(scan, e.vector()));
    }

    @Test
    @Order(2)
    void aHeadTrainedOnItsEmbeddingsAndTheLabelsServes() {
        assertThat(EMBEDDINGS).as("the first test's embeddings").hasSize(LABELLED);
        List<String> scans = List.copyOf(EMBEDDINGS.keySet());
        LabelledVectors train = LabelledVectors.of(scans, EMBEDDINGS::get,
                scan -> LABELS.get(scan) == ClinicalLabel.COVID);
        assertThat(train.hasBothClasses()).isTrue();
        TrainedHead trained = new HeadTrainer().train(train, new LabelledVectors(new float[0][], new boolean[0]),
                TrainerSettings.head(TrainerSettings.defaults()).withEarlyStopPatience(0).withEpochs(10),
                EpochObserver.NONE);
        ModelArtifact artifact = new ModelArtifact(new ModelMetadata(MODEL, "ort-v1", OffsetDateTime.now(),
                backboneId, trained.architecture(),
                new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.8, 0.7, 0.5, null, LABELLED, 0),
                Sha256.hex(trained.weights()), null, null), trained.weights());
        KAFKA.client().send(EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, new ModelPublished(artifact),
                io.scanstream.testing.security.TestModelSigning.signer()));
        await().atMost(TIMEOUT).untilAsserted(() ->
                given().when().get("/model").then().statusCode(200).body("headVersion", equalTo("ort-v1")));

        List<String> ids = send("served", 8, false);
        Set<String> wanted = Set.copyOf(ids);
        Map<String, ScanPrediction> predictions = KAFKA.client().collect(Topics.SCANS_PREDICTIONS,
                        r -> wanted.contains(r.key()), ids.size(), TIMEOUT).stream()
                .map(EventCodecs.PREDICTED::fromRecord)
                .collect(Collectors.toMap(ScanPrediction::scanId, Function.identity()));
        Map<String, ScanEmbedding> embeddings = embeddings(ids);
        assertThat(predictions).hasSize(ids.size());
        try (ClassificationHead head = ClassificationHead.fromArtifact(artifact)) {
            for (String scan : ids) {
                ScanPrediction prediction = predictions.get(scan);
                assertThat(prediction.modelVersion()).isEqualTo("ort-v1");
                assertThat(prediction.backbone()).isEqualTo(backboneId);
                double expected = head.probabilities(new float[][] {embeddings.get(scan).vector()})[0];
                assertThat(prediction.probability()).isCloseTo(expected, within(1e-5));
            }
        }
    }

    private List<String> send(String tag, int n, boolean remember) {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(79);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = run + "-" + tag + "-" + i;
            ClinicalLabel label = i % 2 == 0 ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
            GreyImage image = generator.render(i, label, 224, 224);
            if (remember) {
                IMAGES.put(id, image);
                LABELS.put(id, label);
            }
            KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(id,
                    URI.create("/devices/ct-test"), OffsetDateTime.parse("2026-12-01T12:00:00Z"), "p-" + i,
                    Sha256.hex(image.pixels()), ImageFormat.PNG, 224, 224, image)));
            ids.add(id);
        }
        return ids;
    }

    private static Map<String, ScanEmbedding> embeddings(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return KAFKA.client().collect(Topics.SCANS_EMBEDDINGS, r -> wanted.contains(r.key()), ids.size(), TIMEOUT)
                .stream().map(EventCodecs.EMBEDDED::fromRecord)
                .collect(Collectors.toMap(ScanEmbedding::scanId, Function.identity(), (a, b) -> a));
    }
}
