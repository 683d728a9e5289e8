package io.scanstream.system;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.local.FreePorts;
import io.scanstream.local.KafkaBroker;
import io.scanstream.local.LocalSignIn;
import io.scanstream.local.LocalStackOptions;
import io.scanstream.local.ServiceProcess;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * ScanStream as production runs it, for the end-to-end tests: a broker started from Apache Kafka's jars (its data
 * kept across its own restarts, as a crashed broker keeps its disk), the sign-in, and ingest, inference and training
 * as their runnable jars in separate processes. The test plays the device ({@link #sendGoodScans}) and the clinician
 * ({@link #label}); {@link #outcomes()} reads what downstream clients read.
 */
final class SystemStack implements AutoCloseable {

    static final Path ROOT = Repository.root();
    static final URI DEVICE = URI.create("/devices/system-test");
    /**
     * Training settings for the few dozen synthetic scans of an end-to-end test: a run every 24 labels, short, and a
     * validation split that holds both classes among about a dozen patients (40% of them in validation).
     */
    static final Map<String, String> SMALL_TRAINING = Map.of(
            "training.trigger.every-labels", "24",
            "training.head.epochs", "8",
            "training.validation.min-examples", "16",
            "training.validation.fraction", "0.4",
            "training.validation.min-groups-per-class", "1");

    private final LocalStackOptions options;
    private final LocalSignIn signIn;
    private final KafkaBroker broker;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final KafkaProducer<String, byte[]> producer;
    private final Outcomes outcomes;
    private final SyntheticCtGenerator generator;
    private final Map<String, ClinicalLabel> truth = new HashMap<>();
    private long nextIndex;

    /**
     * @param name      the work directory under system-tests/target (emptied first)
     * @param seed      the synthetic scans' seed
     * @param inference inference's properties beyond the stack's own
     * @param training  training's properties beyond the stack's own
     */
    static SystemStack start(String name, long seed, Map<String, String> inference, Map<String, String> training)
            throws Exception {
        return new SystemStack(name, seed, inference, training);
    }

    private SystemStack(String name, long seed, Map<String, String> inference, Map<String, String> training)
            throws Exception {
        Path work = ROOT.resolve("system-tests/target/" + name);
        deleteRecursively(work);
        options = LocalStackOptions.parse(List.of(
                "--kafka-port", String.valueOf(freePort()), "--controller-port", String.valueOf(freePort()),
                "--ingest-port", String.valueOf(freePort()), "--inference-port", String.valueOf(freePort()),
                "--training-port", String.valueOf(freePort()), "--work-dir", work.toString(), "--keep-data"), ROOT);
        generator = new SyntheticCtGenerator(seed);
        broker = new KafkaBroker(options, ROOT.resolve("local-stack/target/kafka-libs"));
        broker.start();
        signIn = LocalSignIn.open(work);
        Map<String, String> djl = Map.of("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        services.put("ingest", ServiceProcess.of("ingest-service", jar("ingest-service"), options.ingestPort(),
                freePort(), options, "384m", signIn.serviceProperties(),
                Map.of("INGEST_PSEUDONYMISATION_KEY", SystemTestKeys.PSEUDONYMISATION)));
        services.put("inference", ServiceProcess.of("inference-service", jar("inference-service"), options.inferencePort(),
                freePort(), options, "768m", with(signIn.serviceProperties(), with(Map.of(
                        "inference.model.backbone", "mobilenet_v2",
                        "inference.kafka.transactional-id", "inference-" + name), inference)), djl));
        services.put("training", ServiceProcess.of("training-service", jar("training-service"), options.trainingPort(),
                freePort(), options, "768m", with(signIn.serviceProperties(), with(Map.of(
                        "training.model.backbone", "mobilenet_v2",
                        "training.reports.dir", work.resolve("reports").toString(),
                        "kafka-streams.state.dir", work.resolve("streams-state").toString()), training)), djl));
        for (ServiceProcess service : services.values()) {
            service.start(Duration.ofMinutes(3));
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES),
                new StringSerializer(), new ByteArraySerializer());
        outcomes = new Outcomes(options);
    }

    LocalStackOptions options() {
        return options;
    }

    LocalSignIn signIn() {
        return signIn;
    }

    KafkaBroker broker() {
        return broker;
    }

    ServiceProcess service(String name) {
        return services.get(name);
    }

    Collection<ServiceProcess> services() {
        return services.values();
    }

    KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    Outcomes outcomes() {
        return outcomes;
    }

    SyntheticCtGenerator generator() {
        return generator;
    }

    /** What the synthetic scan {@code scanId} truly shows. */
    ClinicalLabel truth(String scanId) {
        return truth.get(scanId);
    }

    /** The ids of every good scan sent so far, oldest first. */
    List<String> sentScans() {
        return truth.keySet().stream().sorted(Comparator.comparingLong(SystemStack::indexOf)).toList();
    }

    String operatorToken() {
        return signIn.toolToken("system-test-operator", "operator");
    }

    // --- the device ---

    /** Sends {@code n} new synthetic scans, each acknowledged by the broker before the next. */
    synchronized List<String> sendGoodScans(int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SyntheticScan scan = generator.scan(nextIndex++);
            producer.send(arrival(scan.scanId(), scan)).get();
            truth.put(scan.scanId(), scan.label());
            ids.add(scan.scanId());
        }
        return ids;
    }

    /** Sends the same scan again, as a device re-sends after a timeout. */
    void resend(String scanId) throws Exception {
        producer.send(arrival(scanId, generator.scan(indexOf(scanId)))).get();
    }

    /** A scan of {@code contentType} with these bytes under a new id that starts with {@code tag}. */
    String send(String tag, String contentType, byte[] bytes) throws Exception {
        String id = tag + "-" + UUID.randomUUID();
        producer.send(EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED),
                new ScanArrived(id, DEVICE, OffsetDateTime.now(), null, contentType, bytes))).get();
        return id;
    }

    ProducerRecord<String, byte[]> arrival(String id, SyntheticScan scan) {
        return EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED),
                new ScanArrived(id, DEVICE, OffsetDateTime.now(), scan.patientRef(), scan.contentType(), scan.bytes()));
    }

    static long indexOf(String scanId) {
        return Long.parseLong(scanId.substring(scanId.lastIndexOf('-') + 1));
    }

    // --- the clinician ---

    /** Labels each scan with what it truly shows. */
    void label(List<String> scanIds) {
        for (String scanId : scanIds) {
            producer.send(EventCodecs.LABELLED.toRecord(options.topic(Topics.SCANS_LABELS),
                    new ScanLabel(scanId, truth.get(scanId), "system-test-radiologist", OffsetDateTime.now())));
        }
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        outcomes.close();
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        Collections.reverse(reverse);
        reverse.forEach(ServiceProcess::stop);
        broker.stop();
    }

    static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new LinkedHashMap<>(a);
        all.putAll(b);
        return all;
    }

    static Path jar(String service) {
        return ROOT.resolve(service + "/target/quarkus-app/quarkus-run.jar");
    }

    /** A port for a service of the stack (FreePorts: below the ephemeral range, never twice). */
    static int freePort() throws IOException {
        return FreePorts.next();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
