package io.scanstream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.local.KafkaBroker;
import io.scanstream.local.LocalStackOptions;
import io.scanstream.local.ServiceProcess;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ScanStream end to end, as it runs in production: a broker started from Apache Kafka's jars, the three services
 * as their runnable jars (separate processes), a device and a clinician played by this test. Every scan ends as
 * exactly one prediction or one rejection; labels lead to a training run, a new model version and predictions
 * that carry it; a crash of ingest mid-stream loses and doubles nothing; every metric the dashboard and the alert
 * rules use is exposed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final URI DEVICE = URI.create("/devices/system-test");
    private static final Path ROOT = Repository.root();

    private static LocalStackOptions options;
    private static io.scanstream.local.LocalSignIn signIn;
    private static KafkaBroker broker;
    private static final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private static KafkaProducer<String, byte[]> producer;
    private static Outcomes outcomes;
    private static final SyntheticCtGenerator generator = new SyntheticCtGenerator(20261125);
    private static final Map<String, ClinicalLabel> truth = new HashMap<>();
    private static String publishedVersion;
    private static long nextIndex;

    @BeforeAll
    static void startTheSystem() throws Exception {
        Path work = ROOT.resolve("system-tests/target/system-it");
        options = LocalStackOptions.parse(List.of(
                "--kafka-port", String.valueOf(freePort()), "--controller-port", String.valueOf(freePort()),
                "--ingest-port", String.valueOf(freePort()), "--inference-port", String.valueOf(freePort()),
                "--training-port", String.valueOf(freePort()), "--work-dir", work.toString()), ROOT);
        broker = new KafkaBroker(options, ROOT.resolve("local-stack/target/kafka-libs"));
        broker.start();
        signIn = io.scanstream.local.LocalSignIn.open(work);
        Map<String, String> djl = Map.of("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        services.put("ingest", ServiceProcess.of("ingest-service", jar("ingest-service"), options.ingestPort(),
                freePort(), options, "384m", signIn.serviceProperties(),
                Map.of("INGEST_PSEUDONYMISATION_KEY", SystemTestKeys.PSEUDONYMISATION)));
        services.put("inference", ServiceProcess.of("inference-service", jar("inference-service"), options.inferencePort(),
                freePort(), options, "768m", with(signIn.serviceProperties(), Map.of(
                        "inference.model.backbone", "mobilenet_v2",
                        "inference.kafka.transactional-id", "inference-system-it",
                        "inference.batching.max-batch-size", "8")), djl));
        services.put("training", ServiceProcess.of("training-service", jar("training-service"), options.trainingPort(),
                freePort(), options, "768m", with(signIn.serviceProperties(), Map.of(
                        "training.model.backbone", "mobilenet_v2",
                        "training.trigger.every-labels", "24",
                        "training.head.epochs", "8",
                        "training.validation.min-examples", "16",
                        // About a dozen patients: 40% of them in validation so that both classes are there.
                        "training.validation.fraction", "0.4",
                        "training.validation.min-groups-per-class", "1",
                        "training.reports.dir", work.resolve("reports").toString(),
                        "kafka-streams.state.dir", work.resolve("streams-state").toString())), djl));
        for (ServiceProcess service : services.values()) {
            service.start(Duration.ofMinutes(3));
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        outcomes = new Outcomes(options.bootstrapServers());
    }

    @AfterAll
    static void stopTheSystem() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (outcomes != null) {
            outcomes.close();
        }
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        java.util.Collections.reverse(reverse);
        reverse.forEach(ServiceProcess::stop);
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Order(1)
    void everyScanEndsAsExactlyOnePredictionOrOneRejection() throws Exception {
        List<String> good = sendGoodScans(48);
        Map<String, RejectionReason> bad = new LinkedHashMap<>();
        SyntheticScan sample = generator.scan(0);
        bad.put(send("bad-empty", sample.contentType(), new byte[0]), RejectionReason.CORRUPT_IMAGE);
        bad.put(send("bad-truncated", sample.contentType(), Arrays.copyOf(sample.bytes(), sample.bytes().length / 3)),
                RejectionReason.CORRUPT_IMAGE);
        byte[] noise = new byte[2048];
        new java.util.Random(1).nextBytes(noise);
        noise[0] = 0x42;
        bad.put(send("bad-noise", "image/png", noise), RejectionReason.UNSUPPORTED_FORMAT);
        bad.put(send("bad-dicom-type", "application/dicom", sample.bytes()), RejectionReason.UNSUPPORTED_FORMAT);
        String duplicate = good.get(0);
        producer.send(arrival(duplicate, generator.scan(indexOf(duplicate)))).get(); // the same scan again
        producer.flush();

        List<String> all = new ArrayList<>(good);
        all.addAll(bad.keySet());
        outcomes.awaitAll(all, TIMEOUT);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(all);
        assertThat(outcomes.predictionsOf(good)).hasSize(good.size()).allSatisfy(p -> {
            assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.backbone()).isEqualTo("mobilenet_v2:random");
        });
        bad.forEach((id, reason) -> assertThat(outcomes.rejection(id).reason()).as(id).isEqualTo(reason));
        // The re-delivered duplicate is rejected once, under its id, next to its one prediction.
        assertThat(outcomes.rejectionsFor(duplicate)).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DUPLICATE));
    }

    @Test
    @Order(2)
    void labelsLeadToATrainedVersionThatLaterPredictionsCarry() throws Exception {
        // The clinician labels 30 of the scans (more than the trigger's 24).
        List<String> labelled = truth.keySet().stream().sorted().limit(30).toList();
        for (String scanId : labelled) {
            producer.send(EventCodecs.LABELLED.toRecord(options.topic(Topics.SCANS_LABELS),
                    new ScanLabel(scanId, truth.get(scanId), "system-test-radiologist", OffsetDateTime.now())));
        }
        producer.flush();

        publishedVersion = outcomes.awaitModelVersion(TIMEOUT);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + options.inferencePort() + "/model"))
                        .header("Authorization", "Bearer " + signIn.toolToken("system-test-operator", "operator")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"headVersion\":\"" + publishedVersion + "\""));

        List<String> after = sendGoodScans(16);
        outcomes.awaitAll(after, TIMEOUT);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(after);
        assertThat(outcomes.predictionsOf(after)).hasSize(16).allSatisfy(p -> {
            assertThat(p.modelVersion()).isEqualTo(publishedVersion);
            assertThat(p.label()).isIn(PredictedLabel.COVID, PredictedLabel.NON_COVID);
            assertThat(p.probability()).isBetween(0.0, 1.0);
        });
    }

    @Test
    @Order(3)
    void aCrashOfIngestMidStreamLosesAndDoublesNothing() throws Exception {
        List<String> burst = new ArrayList<>();
        Thread device = new Thread(() -> {
            try {
                for (int i = 0; i < 40; i++) {
                    burst.addAll(sendGoodScans(1));
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        device.start();
        Thread.sleep(700);
        ServiceProcess ingest = services.get("ingest");
        ingest.kill(); // SIGKILL: whatever ingest had not committed is re-read by its successor
        device.join();
        ingest.start(Duration.ofMinutes(2));
        outcomes.awaitAll(burst, TIMEOUT);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(burst);
        assertThat(outcomes.predictionsOf(burst)).hasSize(burst.size());
    }

    @Test
    @Order(4)
    void everyServiceAnswersItsHealthProbes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (ServiceProcess service : services.values()) {
            for (String path : DeploymentConfigTest.HEALTH_PATHS) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + service.managementPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(service.name() + " " + path).isEqualTo(200);
            }
        }
    }

    @Test
    @Order(5)
    void everyMetricTheDashboardAndTheAlertsUseIsExposed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> exposed = new TreeSet<>();
        for (ServiceProcess service : services.values()) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.managementPort() + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    exposed.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        Set<String> used = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("docker/grafana/dashboards/scanstream.json").toFile());
        dashboard.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker/prometheus/alerts.yml").toFile());
        rules.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
        used.remove("up"); // Prometheus' own
        assertThat(used).isNotEmpty();
        assertThat(exposed).containsAll(used);
    }

    private static final Pattern METRIC = Pattern.compile("\\b((?:scanstream|kafka|jvm)_[a-zA-Z0-9_]+)\\b|\\b(up)\\{");

    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return names;
    }

    // --- the device ---

    private static List<String> sendGoodScans(int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long index = nextIndex++;
            SyntheticScan scan = generator.scan(index);
            producer.send(arrival(scan.scanId(), scan)).get();
            truth.put(scan.scanId(), scan.label());
            ids.add(scan.scanId());
        }
        return ids;
    }

    private static long indexOf(String scanId) {
        return Long.parseLong(scanId.substring(scanId.lastIndexOf('-') + 1));
    }

    private static String send(String tag, String contentType, byte[] bytes) throws Exception {
        String id = tag + "-" + UUID.randomUUID();
        producer.send(EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED),
                new ScanArrived(id, DEVICE, OffsetDateTime.now(), null, contentType, bytes))).get();
        return id;
    }

    private static ProducerRecord<String, byte[]> arrival(String id, SyntheticScan scan) {
        return EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED),
                new ScanArrived(id, DEVICE, OffsetDateTime.now(), scan.patientRef(), scan.contentType(), scan.bytes()));
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new LinkedHashMap<>(a);
        all.putAll(b);
        return all;
    }

    private static Path jar(String service) {
        return ROOT.resolve(service + "/target/quarkus-app/quarkus-run.jar");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** What downstream sees (read_committed): predictions, rejections, model versions. */
    private static final class Outcomes implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, List<ScanPrediction>> predictions = new HashMap<>();
        private final Map<String, List<ScanRejected>> rejections = new HashMap<>();
        private final List<String> versions = new ArrayList<>();

        Outcomes(String bootstrapServers) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, "system-it-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES),
                    new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(options.topic(Topics.SCANS_PREDICTIONS), options.topic(Topics.SCANS_REJECTED),
                    options.topic(Topics.MODELS_PUBLISHED)));
        }

        void poll(Duration timeout) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
                if (r.topic().equals(options.topic(Topics.SCANS_PREDICTIONS))) {
                    ScanPrediction p = EventCodecs.PREDICTED.fromRecord(r);
                    predictions.computeIfAbsent(p.scanId(), k -> new ArrayList<>()).add(p);
                } else if (r.topic().equals(options.topic(Topics.SCANS_REJECTED))) {
                    ScanRejected rejected = EventCodecs.REJECTED.fromRecord(r);
                    rejections.computeIfAbsent(rejected.scanId(), k -> new ArrayList<>()).add(rejected);
                } else {
                    ModelPublished model = EventCodecs.MODEL_PUBLISHED.fromRecord(r);
                    versions.add(model.version());
                }
            }
        }

        void awaitAll(List<String> ids, Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                poll(Duration.ofMillis(200));
                if (ids.stream().allMatch(id -> predictions.containsKey(id) || rejections.containsKey(id))) {
                    return;
                }
            }
            List<String> missing = ids.stream().filter(id -> !predictions.containsKey(id) && !rejections.containsKey(id)).toList();
            throw new AssertionError("no outcome within " + timeout + " for " + missing.size() + " scans: " + missing);
        }

        /** Keeps reading a little longer, to catch duplicates that would arrive late. */
        void settle() {
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                poll(Duration.ofMillis(200));
            }
        }

        String awaitModelVersion(Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (versions.isEmpty() && System.nanoTime() < end) {
                poll(Duration.ofMillis(500));
            }
            assertThat(versions).as("a model version on models.published").isNotEmpty();
            return versions.get(versions.size() - 1);
        }

        /** Exactly one outcome per scan; the DUPLICATE rejection of a re-delivery does not count against its scan. */
        void assertExactlyOneOutcomeEach(List<String> ids) {
            for (String id : ids) {
                int p = predictions.getOrDefault(id, List.of()).size();
                long r = rejections.getOrDefault(id, List.of()).stream()
                        .filter(x -> x.reason() != RejectionReason.DUPLICATE || p == 0).count();
                assertThat(p + r).as("outcomes of " + id + ": " + predictions.get(id) + " " + rejections.get(id)).isEqualTo(1);
            }
        }

        List<ScanPrediction> predictionsOf(List<String> ids) {
            return ids.stream().flatMap(id -> predictions.getOrDefault(id, List.of()).stream()).collect(Collectors.toList());
        }

        ScanRejected rejection(String id) {
            return rejections.get(id).get(0);
        }

        List<ScanRejected> rejectionsFor(String id) {
            return rejections.getOrDefault(id, List.of());
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
