package io.scanstream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.local.ServiceMetrics;
import io.scanstream.local.ServiceProcess;
import io.scanstream.model.head.TestHeadWeights;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault suite: one stack (broker from Kafka's jars, ingest, inference and training as their jars) and, in turn,
 * the faults a hospital's platform will see: each service SIGKILLed under load, the broker SIGKILLed under load, a
 * scan re-sent after ingest restarted, a version whose weights do not load, a head whose outputs are NaN, and
 * records on {@code scans.preprocessed} that are not model inputs. Each asserts that every accepted scan ends as
 * exactly one outcome, nothing doubled, and that the service recovers within a generous ceiling; the measured
 * recovery times are written to {@code target/fault-suite/recovery.md} (docs/reliability.md quotes them). A
 * fine-tuning run killed mid-way: {@link FineTuningSystemIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {

    /** A generous ceiling for any recovery: the measured times are a fraction of it. */
    private static final Duration RECOVERY = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SystemStack stack;
    private static Outcomes outcomes;
    private static final List<String> recovery = Collections.synchronizedList(new ArrayList<>());
    /** The version the clinicians' labels trained: what must keep serving through the bad versions. */
    private static ModelArtifact good;

    @BeforeAll
    static void startTheSystem() throws Exception {
        stack = SystemStack.start("fault-suite", 20261201, Map.of("inference.batching.max-batch-size", "8"),
                SystemStack.SMALL_TRAINING);
        outcomes = stack.outcomes();
    }

    @AfterAll
    static void stopTheSystem() throws IOException {
        if (stack != null) {
            stack.close();
        }
        Path report = SystemStack.ROOT.resolve("system-tests/target/fault-suite/recovery.md");
        Files.createDirectories(report.getParent());
        List<String> lines = new ArrayList<>(List.of("| fault | test | measured from the fault |", "|---|---|---|"));
        lines.addAll(recovery);
        Files.write(report, lines, StandardCharsets.UTF_8);
        lines.forEach(System.out::println);
    }

    @Test
    @Order(1)
    void ingestKilledUnderLoadLosesAndDoublesNothingAndAScanResentAfterItsRestartIsADuplicate() throws Exception {
        List<String> before = stack.sendGoodScans(6);
        outcomes.awaitAll(before, RECOVERY);

        Load load = Load.start(40, Duration.ofMillis(50));
        Thread.sleep(700);
        long killed = System.nanoTime();
        stack.service("ingest").kill(); // SIGKILL: what ingest had not committed is read again by its successor
        stack.service("ingest").start(RECOVERY);
        double ready = secondsSince(killed);
        List<String> burst = load.join();
        stack.resend(before.get(0)); // the device never heard back and sends it again
        stack.resend(burst.get(0));
        outcomes.awaitAll(burst, RECOVERY);
        double drained = secondsSince(killed);
        outcomes.settle();

        outcomes.assertExactlyOneOutcomeEach(burst);
        assertThat(outcomes.predictionsOf(burst)).hasSize(burst.size());
        for (String resent : List.of(before.get(0), burst.get(0))) {
            assertThat(outcomes.predictionsOf(List.of(resent))).as(resent).hasSize(1);
            assertThat(outcomes.rejectionsFor(resent)).as(resent).singleElement()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DUPLICATE));
        }
        record("ingest SIGKILL under load (20 scans/s), restarted; a scan re-sent after the restart",
                "ingestKilledUnderLoad…", "ready again", ready, "all " + burst.size() + " scans' outcomes", drained);
    }

    @Test
    @Order(2)
    void trainingKilledWhileLabelsArriveLosesNoLabelAndStillPublishesAVersion() throws Exception {
        List<String> scans = stack.sendGoodScans(36);
        outcomes.awaitAll(scans, RECOVERY);
        List<String> labelled = stack.sentScans().stream().sorted().limit(30).toList();
        int versionsBefore = outcomes.versionCount();

        stack.label(labelled.subList(0, 12));
        Thread.sleep(1500);
        long killed = System.nanoTime();
        stack.service("training").kill();
        stack.label(labelled.subList(12, 30)); // while training is down
        List<String> meanwhile = stack.sendGoodScans(8); // training is off the scans' path
        stack.service("training").start(RECOVERY);
        double ready = secondsSince(killed);

        good = outcomes.awaitVersionAfter(versionsBefore, RECOVERY);
        double published = secondsSince(killed);
        await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(1)).until(() ->
                get(stack.options().trainingPort(), "/training/set").path("set").path("labelled").asLong() == 30);
        outcomes.awaitAll(meanwhile, RECOVERY);
        outcomes.assertExactlyOneOutcomeEach(meanwhile);
        await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(1)).until(() -> servedVersion().equals(good.metadata().version()));
        record("training SIGKILL while labels arrive (12 before, 18 during the outage)", "trainingKilledWhileLabelsArrive…",
                "ready again", ready, "the version trained on all 30 labels published", published);
    }

    @Test
    @Order(3)
    void aVersionWhoseWeightsDoNotLoadAndAHeadWhoseOutputsAreNaNAreRefusedWhileTheGoodVersionServes() throws Exception {
        String serving = good.metadata().version();
        double refusedBefore = refusedVersions();

        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        long published = System.nanoTime();
        publish(versionLike(good, "v-poison-weights", garbage));
        publish(versionLike(good, "v-nan-head", TestHeadWeights.nan(good.metadata().head())));
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(500)).until(() ->
                refusedVersions() >= refusedBefore + 2);
        double refused = secondsSince(published);

        List<String> after = stack.sendGoodScans(16);
        outcomes.awaitAll(after, RECOVERY);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(after);
        assertThat(outcomes.rejectionsOf(after)).as("no scan pays for a bad version").isEmpty();
        assertThat(outcomes.predictionsOf(after)).hasSize(after.size()).allSatisfy(p -> {
            assertThat(p.modelVersion()).isEqualTo(serving);
            assertThat(p.probability()).isBetween(0.0, 1.0);
        });
        assertThat(servedVersion()).isEqualTo(serving);
        record("a version whose weights do not load, then a head whose outputs are all NaN", "aVersionWhoseWeightsDoNotLoad…",
                "both refused", refused, "the next " + after.size() + " scans' outcomes (all by the good version)",
                secondsSince(published));
    }

    @Test
    @Order(4)
    void inferenceKilledUnderLoadRestartsOnTheGoodVersionAndEveryScanEndsOnce() throws Exception {
        String serving = good.metadata().version();
        Load load = Load.start(40, Duration.ofMillis(50));
        Thread.sleep(700);
        long killed = System.nanoTime();
        ServiceProcess inference = stack.service("inference");
        inference.kill();
        inference.start(RECOVERY); // ready only once the models topics are replayed, the bad versions among them
        double ready = secondsSince(killed);
        List<String> burst = load.join();
        outcomes.awaitAll(burst, RECOVERY);
        double drained = secondsSince(killed);
        outcomes.settle();

        outcomes.assertExactlyOneOutcomeEach(burst);
        assertThat(outcomes.predictionsOf(burst)).hasSize(burst.size());
        assertThat(servedVersion()).as("the restarted replica serves the newest valid version").isEqualTo(serving);
        List<String> after = stack.sendGoodScans(4);
        outcomes.awaitAll(after, RECOVERY);
        assertThat(outcomes.predictionsOf(after)).allSatisfy(p -> assertThat(p.modelVersion()).isEqualTo(serving));
        record("inference SIGKILL under load (20 scans/s), restarted (replays the bad versions too)",
                "inferenceKilledUnderLoad…", "ready again", ready, "all " + burst.size() + " scans' outcomes", drained);
    }

    @Test
    @Order(5)
    void recordsOnScansPreprocessedThatAreNotModelInputsEndAsOneRejectionEachAndNothingStops() throws Exception {
        byte[] square = new byte[224 * 224];
        List<String> bad = new ArrayList<>();
        bad.add(preprocessed("wrong-shape", new GreyImage(224, 100, new byte[224 * 100])));
        bad.add(preprocessed("oversized", new GreyImage(960, 960, new byte[960 * 960])));
        bad.add(preprocessed("zero-pixels", new GreyImage(224, 224, square)));  // a valid input: must be predicted
        String garbage = "garbage-" + UUID.randomUUID();
        stack.producer().send(new ProducerRecord<>(stack.options().topic(Topics.SCANS_PREPROCESSED), garbage,
                "not a CloudEvent".getBytes(StandardCharsets.UTF_8))).get();
        long sent = System.nanoTime();
        List<String> good = stack.sendGoodScans(8);

        List<String> all = new ArrayList<>(bad);
        all.add(garbage);
        all.addAll(good);
        outcomes.awaitAll(all, RECOVERY);
        double drained = secondsSince(sent);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(all);
        for (String id : List.of(bad.get(0), bad.get(1))) {
            assertThat(outcomes.rejection(id).reason()).as(id).isEqualTo(RejectionReason.CORRUPT_IMAGE);
            assertThat(outcomes.rejection(id).detail()).as(id).contains("not a valid preprocessed scan");
        }
        assertThat(outcomes.rejectionsFor(garbage)).singleElement()
                .satisfies(r -> assertThat(r.stage()).isEqualTo("inference"));
        assertThat(outcomes.predictionsOf(List.of(bad.get(2)))).hasSize(1);
        assertThat(outcomes.predictionsOf(good)).hasSize(good.size());
        // training reads the same topic (fine-tuning images): the records must not stop it
        for (ServiceProcess service : stack.services()) {
            assertThat(service.alive()).as(service.name()).isTrue();
            assertThat(status(service.managementPort(), "/q/health/ready")).as(service.name()).isEqualTo(200);
        }
        record("records on scans.preprocessed: 224x100, 960x960, not a CloudEvent", "recordsOnScansPreprocessed…",
                "the bad records' rejections and " + good.size() + " good scans' predictions", drained,
                "every service still ready", secondsSince(sent));
    }

    @Test
    @Order(6)
    void theBrokerKilledUnderLoadComesBackAndEveryScanEndsOnce() throws Exception {
        Load load = Load.start(40, Duration.ofMillis(100));
        Thread.sleep(1500);
        long killed = System.nanoTime();
        stack.broker().kill();
        Thread.sleep(2000);
        stack.broker().start(); // the same data directory: the log, the transactions and the offsets survive
        double brokerUp = secondsSince(killed);
        List<String> burst = load.join();
        outcomes.awaitAll(burst, RECOVERY);
        double drained = secondsSince(killed);
        outcomes.settle();

        outcomes.assertExactlyOneOutcomeEach(burst);
        assertThat(outcomes.predictionsOf(burst)).hasSize(burst.size());
        for (ServiceProcess service : stack.services()) {
            assertThat(service.alive()).as(service.name() + " rode out the broker's restart").isTrue();
            await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(1)).until(() ->
                    status(service.managementPort(), "/q/health/live") == 200
                            && status(service.managementPort(), "/q/health/ready") == 200);
        }
        double healthy = secondsSince(killed);
        record("broker SIGKILL under load (10 scans/s), restarted after 2 s on its data", "theBrokerKilledUnderLoad…",
                "broker ready again", brokerUp, "all " + burst.size() + " scans' outcomes", drained);
        recovery.add(String.format("| (the same) | theBrokerKilledUnderLoad… | no service exited; all live and ready "
                + "again %.1f s |", healthy));
    }

    // --- helpers ---

    /** A device sending {@code n} scans, one every {@code every}, on its own thread. */
    private static final class Load {
        private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile Exception failure;

        private Load(int n, Duration every) {
            thread = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        sent.addAll(stack.sendGoodScans(1));
                        Thread.sleep(every.toMillis());
                    }
                } catch (Exception e) {
                    failure = e;
                }
            }, "device");
        }

        static Load start(int n, Duration every) {
            Load load = new Load(n, every);
            load.thread.start();
            return load;
        }

        List<String> join() throws Exception {
            thread.join(RECOVERY.toMillis());
            if (failure != null) {
                throw failure;
            }
            assertThat(thread.isAlive()).as("the device finished sending").isFalse();
            return List.copyOf(sent);
        }
    }

    /** A row of the recovery table: what was measured, in seconds from the fault. */
    private static void record(String fault, String test, String first, double firstSeconds, String second,
                               double secondSeconds) {
        recovery.add(String.format("| %s | %s | %s %.1f s; %s %.1f s |", fault, test, first, firstSeconds, second,
                secondSeconds));
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    /** The served version's id, as inference's model endpoint says. */
    private static String servedVersion() throws Exception {
        return get(stack.options().inferencePort(), "/model").path("headVersion").asText();
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + stack.operatorToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Versions inference refused so far, for any reason. */
    private static double refusedVersions() throws Exception {
        return new ServiceMetrics(stack.service("inference").managementPort())
                .sum("scanstream_inference_model_refused_total");
    }

    /** A version like {@code model} (same backbone and head shape), under another name, with these head weights. */
    private static ModelArtifact versionLike(ModelArtifact model, String version, byte[] weights) {
        ModelMetadata m = model.metadata();
        return new ModelArtifact(new ModelMetadata(m.modelName(), version, OffsetDateTime.now(), m.backboneId(), m.head(),
                m.metrics(), Sha256.hex(weights), m.trainingRunId(), m.reportUri(), m.trainedOn(), m.cardUri(),
                m.backbone(), m.preprocessing(), null), weights);
    }

    /** Signed as training signs: the fault under test is the model's, not a forged record. */
    private static void publish(ModelArtifact artifact) throws Exception {
        stack.producer().send(EventCodecs.signedModelRecord(stack.options().topic(Topics.MODELS_PUBLISHED),
                new ModelPublished(artifact), stack.signIn().modelSigner())).get();
    }

    /** A record on scans.preprocessed as ingest would write it, with this image. */
    private static String preprocessed(String tag, GreyImage image) throws Exception {
        String id = tag + "-" + UUID.randomUUID();
        stack.producer().send(EventCodecs.PREPROCESSED.toRecord(stack.options().topic(Topics.SCANS_PREPROCESSED),
                new ScanPreprocessed(id, SystemStack.DEVICE, OffsetDateTime.now(), null, Sha256.hex(image.pixels()),
                        ImageFormat.PNG, image.width(), image.height(), image))).get();
        return id;
    }
}
