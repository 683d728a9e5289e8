package io.scanstream.system;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.KafkaAccess;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.privacy.PseudonymisationKeys;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.local.KafkaBroker;
import io.scanstream.local.KafkaSecurity;
import io.scanstream.local.LocalSignIn;
import io.scanstream.local.LocalStackOptions;
import io.scanstream.local.ServiceProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.scanstream.system.SystemStack.freePort;
import static io.scanstream.system.SystemStack.jar;
import static io.scanstream.system.SystemStack.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * ScanStream on a secured broker, as {@code bin/scanstream-local --secure} runs it: a broker from Kafka's jars with a
 * SASL_SSL listener (SCRAM-SHA-512), a mutual-TLS listener, the KRaft authorizer and exactly the ACLs of
 * {@link KafkaAccess}; certificates made by the test (keytool). Each service runs as its own SCRAM user: ingest
 * (SmallRye channels, transactions), inference (its raw loop and channel), training (Kafka Streams, model publisher,
 * topic snapshots) all work through it, end to end to a trained version that inference serves. The device publishes
 * over mutual TLS. No raw patient reference leaves {@code scans.arrived}: not into a log line, a metric or another
 * topic. Wrong credentials and a placeholder pseudonymisation key stop a service's start with a clear message.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredSystemIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final Path ROOT = Repository.root();
    private static final URI DEVICE = URI.create("/devices/secured-it-ct");
    /** Raw patient references as devices send them; none may appear downstream. */
    // Fixed (as the key is), so that the pseudonyms and the training split are the same in every run.
    private static final String MRN_PREFIX = "MRN-SECRET-5e1d07a3-";

    private static LocalStackOptions options;
    private static KafkaSecurity security;
    private static LocalSignIn signIn;
    private static KafkaBroker broker;
    private static final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private static final SyntheticCtGenerator generator = new SyntheticCtGenerator(20261201);
    private static final Map<String, ClinicalLabel> truth = new LinkedHashMap<>();
    private static final List<String> rawReferences = new ArrayList<>();
    private static Path work;

    @BeforeAll
    static void startTheSecuredSystem() throws Exception {
        work = ROOT.resolve("system-tests/target/secured-system-it");
        options = LocalStackOptions.parse(List.of("--secure",
                "--kafka-port", String.valueOf(freePort()), "--kafka-tls-port", String.valueOf(freePort()),
                "--controller-port", String.valueOf(freePort()),
                "--ingest-port", String.valueOf(freePort()), "--inference-port", String.valueOf(freePort()),
                "--training-port", String.valueOf(freePort()), "--arrived-retention", "1h",
                "--work-dir", work.toString()), ROOT);
        security = KafkaSecurity.secured(options);
        broker = new KafkaBroker(options, ROOT.resolve("local-stack/target/kafka-libs"), security);
        broker.start();
        signIn = LocalSignIn.open(work);
        Map<String, String> djl = Map.of("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        Map<String, String> ingestEnv = new HashMap<>(security.serviceEnvironment(KafkaAccess.INGEST));
        ingestEnv.put("INGEST_PSEUDONYMISATION_KEY", SystemTestKeys.PSEUDONYMISATION);
        services.put("ingest", ServiceProcess.of("ingest-service", jar("ingest-service"), options.ingestPort(),
                freePort(), options, "384m", with(signIn.serviceProperties(),
                        Map.of("scanstream.logging.hash-scan-ids", "true")), ingestEnv));
        services.put("inference", ServiceProcess.of("inference-service", jar("inference-service"),
                options.inferencePort(), freePort(), options, "768m", with(signIn.serviceProperties(), Map.of(
                        "inference.model.backbone", "mobilenet_v2",
                        "inference.kafka.transactional-id", "inference-secured-it",
                        "inference.batching.max-batch-size", "8")),
                with(djl, security.serviceEnvironment(KafkaAccess.INFERENCE))));
        services.put("training", ServiceProcess.of("training-service", jar("training-service"),
                options.trainingPort(), freePort(), options, "768m", with(signIn.serviceProperties(), Map.of(
                        "training.model.backbone", "mobilenet_v2",
                        "training.trigger.every-labels", "24",
                        "training.head.epochs", "8",
                        "training.validation.min-examples", "16",
                        // About a dozen patients: 40% of them in validation so that both classes are there.
                        "training.validation.fraction", "0.4",
                        // A security test, not a learning one: a version must come out of 24 labels.
                        "training.validation.min-groups-per-class", "1",
                        "training.reports.dir", work.resolve("reports").toString(),
                        "kafka-streams.state.dir", work.resolve("streams-state").toString())),
                with(djl, security.serviceEnvironment(KafkaAccess.TRAINING))));
        for (ServiceProcess service : services.values()) {
            service.start(Duration.ofMinutes(3));
        }
    }

    @AfterAll
    static void stopTheSystem() {
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        java.util.Collections.reverse(reverse);
        reverse.forEach(ServiceProcess::stop);
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Order(1)
    void everyServiceWorksThroughTheSecuredBrokerAsItsOwnUser() throws Exception {
        // The device over mutual TLS (its certificate's CN is its Kafka user), 32 scans with raw references.
        try (KafkaProducer<String, byte[]> device = producer(security.certificateClient(KafkaAccess.DEVICE))) {
            for (int i = 0; i < 32; i++) {
                SyntheticScan scan = generator.scan(i);
                String reference = MRN_PREFIX + scan.patientRef();
                rawReferences.add(reference);
                truth.put(scan.scanId(), scan.label());
                device.send(EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED), new ScanArrived(
                        scan.scanId(), DEVICE, OffsetDateTime.now(), reference, scan.contentType(), scan.bytes()))).get();
            }
        }
        // An HTTP device with a token of its own, sending a raw reference too.
        SyntheticScan overHttp = generator.scan(100);
        String httpReference = MRN_PREFIX + "http";
        rawReferences.add(httpReference);
        HttpResponse<String> uploaded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + options.ingestPort() + "/scans"))
                .header("Authorization", "Bearer " + signIn.toolToken(DEVICE.toString(), "device"))
                .header("Content-Type", overHttp.contentType()).header("ce-id", overHttp.scanId())
                .header("ce-source", DEVICE.toString()).header("ce-subject", httpReference)
                .POST(HttpRequest.BodyPublishers.ofByteArray(overHttp.bytes())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(202);

        Set<String> sent = new java.util.HashSet<>(truth.keySet());
        sent.add(overHttp.scanId());
        Map<String, ScanPrediction> predictions = awaitPredictions(sent);
        assertThat(predictions.keySet()).containsAll(sent);

        // The clinicians' tool (its own SCRAM user) labels them; training joins (Kafka Streams over SASL_SSL),
        // trains, publishes (its producer), and inference serves the new version.
        try (KafkaProducer<String, byte[]> tool = producer(security.client(KafkaAccess.CLINICIAN_TOOL))) {
            for (var entry : truth.entrySet()) {
                tool.send(EventCodecs.LABELLED.toRecord(options.topic(Topics.SCANS_LABELS),
                        new ScanLabel(entry.getKey(), entry.getValue(), "secured-it-radiologist", OffsetDateTime.now()))).get();
            }
        }
        String version = awaitModelVersion();
        HttpClient http = HttpClient.newHttpClient();
        String clinician = signIn.toolToken("secured-it-clinician", "clinician");
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + options.inferencePort() + "/model"))
                .header("Authorization", "Bearer " + clinician).build(), HttpResponse.BodyHandlers.ofString())
                .body().contains("\"headVersion\":\"" + version + "\""));
        HttpRequest set = HttpRequest.newBuilder(URI.create("http://localhost:" + options.trainingPort()
                + "/training/set")).header("Authorization", "Bearer " + clinician).build();
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(http.send(set, HttpResponse.BodyHandlers.ofString()).body()).contains("\"labelled\":32"));
    }

    @Test
    @Order(2)
    void noRawPatientReferenceLeavesScansArrived() throws Exception {
        assertThat(rawReferences).isNotEmpty();
        // Every topic but scans.arrived, Kafka Streams' internal topics included, read as the broker's admin.
        List<String> downstream = new ArrayList<>();
        try (Admin admin = Admin.create(security.client(KafkaSecurity.ADMIN))) {
            for (String topic : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (!topic.equals(options.topic(Topics.SCANS_ARRIVED)) && !topic.startsWith("__")) {
                    downstream.add(topic);
                }
            }
        }
        assertThat(downstream).contains(options.topic(Topics.SCANS_PREPROCESSED), options.topic(Topics.SCANS_PREDICTIONS),
                options.topic(Topics.SCANS_EMBEDDINGS), options.topic(Topics.MODELS_PUBLISHED));
        StringBuilder everything = new StringBuilder();
        int records = 0;
        Map<String, Object> settings = new HashMap<>(security.client(KafkaSecurity.ADMIN));
        settings.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "secured-it-audit-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(downstream);
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    everything.append(r.key()).append(' ').append(text(r.value())); // tombstones have none
                    for (Header h : r.headers()) {
                        everything.append(' ').append(h.key()).append('=').append(text(h.value()));
                    }
                    everything.append('\n');
                }
            }
        }
        assertThat(records).as("records read downstream").isGreaterThan(60);
        for (ServiceProcess service : services.values()) {
            everything.append(Files.readString(service.logFile(), StandardCharsets.ISO_8859_1));
            everything.append(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + service.managementPort() + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        String all = everything.toString();
        assertThat(all).doesNotContain(MRN_PREFIX);
        for (String reference : rawReferences) {
            assertThat(all).doesNotContain(reference);
        }
        // With scanstream.logging.hash-scan-ids, ingest's log names no scan id.
        String ingestLog = Files.readString(services.get("ingest").logFile());
        assertThat(ingestLog).contains("scan.accepted scanId=h-");
        truth.keySet().forEach(id -> assertThat(ingestLog).doesNotContain("scanId=" + id));
    }

    @Test
    @Order(3)
    void eachPrincipalMayDoOnlyWhatItsAclsAllow() {
        // The clinicians' tool may write labels, not scans.
        try (KafkaProducer<String, byte[]> tool = producer(security.client(KafkaAccess.CLINICIAN_TOOL))) {
            SyntheticScan scan = generator.scan(200);
            assertThatThrownBy(() -> tool.send(new ProducerRecord<>(options.topic(Topics.SCANS_ARRIVED), scan.scanId(),
                    scan.bytes())).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        // The mutual-TLS listener refuses a client without a certificate.
        Map<String, Object> noCertificate = new HashMap<>(security.certificateClient(KafkaAccess.DEVICE));
        noCertificate.remove("ssl.keystore.location");
        noCertificate.remove("ssl.keystore.password");
        noCertificate.remove("ssl.keystore.type");
        noCertificate.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        try (KafkaProducer<String, byte[]> anonymous = producer(noCertificate)) {
            assertThatThrownBy(() -> anonymous.send(new ProducerRecord<>(options.topic(Topics.SCANS_ARRIVED), "x",
                    new byte[1])).get(30, TimeUnit.SECONDS))
                    .isInstanceOfAny(ExecutionException.class, SslAuthenticationException.class,
                            org.apache.kafka.common.errors.TimeoutException.class);
        }
    }

    @Test
    @Order(4)
    void wrongKafkaCredentialsAndAPlaceholderKeyStopTheStartWithAClearMessage() throws Exception {
        Map<String, String> wrong = new HashMap<>(security.serviceEnvironment(KafkaAccess.INGEST));
        wrong.put("KAFKA_SASL_JAAS_CONFIG", KafkaSecurity.jaas(KafkaAccess.INGEST, "not-the-password"));
        wrong.put("INGEST_PSEUDONYMISATION_KEY", PseudonymisationKeys.generate());
        ServiceProcess refused = ServiceProcess.of("ingest-wrong-credentials", jar("ingest-service"), freePort(),
                freePort(), options, "256m", signIn.serviceProperties(), wrong);
        assertThatThrownBy(() -> refused.start(Duration.ofMinutes(2))).hasMessageContaining("exited during start-up");
        assertThat(Files.readString(refused.logFile()))
                .contains("refused this service's credentials")
                .contains("SCRAM-SHA-512 user \"" + KafkaAccess.INGEST + "\"")
                .contains("KAFKA_SASL_JAAS_CONFIG");

        Map<String, String> placeholder = new HashMap<>(security.serviceEnvironment(KafkaAccess.INGEST));
        placeholder.put("INGEST_PSEUDONYMISATION_KEY", "replace-me-with-a-long-random-secret");
        ServiceProcess weak = ServiceProcess.of("ingest-placeholder-key", jar("ingest-service"), freePort(),
                freePort(), options, "256m", signIn.serviceProperties(), placeholder);
        assertThatThrownBy(() -> weak.start(Duration.ofMinutes(2))).hasMessageContaining("exited during start-up");
        assertThat(Files.readString(weak.logFile())).contains("ingest.pseudonymisation-key refused")
                .contains("placeholder").doesNotContain("replace-me-with-a-long-random-secret\"");
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static Map<String, ScanPrediction> awaitPredictions(Set<String> ids) {
        Map<String, ScanPrediction> predictions = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = adminConsumer()) {
            consumer.subscribe(List.of(options.topic(Topics.SCANS_PREDICTIONS)));
            long end = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < end && !predictions.keySet().containsAll(ids)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ScanPrediction p = EventCodecs.PREDICTED.fromRecord(r);
                    predictions.put(p.scanId(), p);
                }
            }
        }
        return predictions;
    }

    private static String awaitModelVersion() {
        try (KafkaConsumer<String, byte[]> consumer = adminConsumer()) {
            consumer.subscribe(List.of(options.topic(Topics.MODELS_PUBLISHED)));
            long end = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ModelPublished model = EventCodecs.MODEL_PUBLISHED.fromRecord(r);
                    return model.version();
                }
            }
        }
        throw new AssertionError("no model version on " + Topics.MODELS_PUBLISHED + " within " + TIMEOUT);
    }

    private static KafkaConsumer<String, byte[]> adminConsumer() {
        Map<String, Object> settings = new HashMap<>(security.client(KafkaSecurity.ADMIN));
        settings.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "secured-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES));
        return new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> client) {
        Map<String, Object> settings = new HashMap<>(client);
        settings.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.SCAN_MAX_MESSAGE_BYTES);
        return new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }



}
