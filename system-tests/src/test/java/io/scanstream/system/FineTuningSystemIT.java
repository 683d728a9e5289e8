package io.scanstream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.BackboneChunk;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.local.KafkaBroker;
import io.scanstream.local.LocalStackOptions;
import io.scanstream.local.ServiceMetrics;
import io.scanstream.local.ServiceProcess;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.scanstream.system.SystemStack.freePort;
import static io.scanstream.system.SystemStack.jar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fine-tuned path end to end, on a broker from Apache Kafka's jars and the services as their runnable jars:
 * labels start a fine-tuning run; its backbone travels in chunks on models.backbones and its version on
 * models.published; inference swaps backbone and head together while a device streams, and every scan gets exactly
 * one prediction, the later ones from the new backbone; a fresh inference replica bootstraps the whole network from
 * Kafka alone; a training service killed mid-fine-tuning publishes no version of a half-published backbone and, once
 * restarted, starts the run again; a version whose backbone has a corrupt or a missing chunk is refused with its
 * reason and the serving network stays.
 *
 * <p>The bootstrap backbone is a seeded random MobileNetV2 and fine-tuning starts from scratch at 64 px for one
 * epoch: what is tested is the plumbing, not accuracy (docs/benchmarks.md has the real numbers).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FineTuningSystemIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final URI DEVICE = URI.create("/devices/fine-tuning-test");
    private static final Path ROOT = Repository.root();
    private static final String BOOTSTRAP = "mobilenet_v2:random";
    private static final String MODEL = "covid-head";
    /** 16 synthetic patients (3 scans each): enough groups that validation holds both classes. */
    private static final int FINE_TUNE_EVERY = 48;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalStackOptions options;
    private static KafkaBroker broker;
    private static final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private static KafkaProducer<String, byte[]> producer;
    private static Predictions predictions;
    private static final SyntheticCtGenerator generator = new SyntheticCtGenerator(20261201);
    private static final Map<String, ClinicalLabel> truth = new LinkedHashMap<>();
    private static final List<String> labelled = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Path work;
    private static long nextIndex;
    private static BackboneManifest fineTuned;
    private static io.scanstream.local.LocalSignIn signIn;

    @BeforeAll
    static void startTheSystem() throws Exception {
        work = ROOT.resolve("system-tests/target/fine-tuning-it");
        options = LocalStackOptions.parse(List.of(
                "--kafka-port", String.valueOf(freePort()), "--controller-port", String.valueOf(freePort()),
                "--ingest-port", String.valueOf(freePort()), "--inference-port", String.valueOf(freePort()),
                "--training-port", String.valueOf(freePort()), "--work-dir", work.toString()), ROOT);
        broker = new KafkaBroker(options, ROOT.resolve("local-stack/target/kafka-libs"));
        broker.start();
        signIn = io.scanstream.local.LocalSignIn.open(work);
        services.put("ingest", ServiceProcess.of("ingest-service", jar("ingest-service"), options.ingestPort(),
                freePort(), options, "384m", signIn.serviceProperties(),
                Map.of("INGEST_PSEUDONYMISATION_KEY", SystemTestKeys.PSEUDONYMISATION)));
        services.put("inference", inference("inference-service", options.inferencePort(), "inference-fine-tuning-it",
                work.resolve("inference-backbones")));
        services.put("training", training());
        for (ServiceProcess service : services.values()) {
            service.start(Duration.ofMinutes(3));
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES),
                new StringSerializer(), new ByteArraySerializer());
        predictions = new Predictions(options.bootstrapServers(), options.topic(Topics.SCANS_PREDICTIONS));
    }

    private static ServiceProcess inference(String name, int port, String transactionalId, Path cache)
            throws IOException {
        Map<String, String> props = new LinkedHashMap<>(signIn.serviceProperties());
        props.put("inference.model.backbone", "mobilenet_v2");
        props.put("inference.model.backbone-cache", cache.toString());
        props.put("inference.kafka.transactional-id", transactionalId);
        props.put("inference.batching.max-batch-size", "8");
        return ServiceProcess.of(name, jar("inference-service"), port, freePort(), options, "768m", props, djl());
    }

    private static ServiceProcess training() throws IOException {
        Map<String, String> props = new LinkedHashMap<>(signIn.serviceProperties());
        props.put("training.model.backbone", "mobilenet_v2");
        props.put("training.trigger.every-labels", "0");
        props.put("training.trigger.interval", "off");
        props.put("training.fine-tune.every-labels", String.valueOf(FINE_TUNE_EVERY));
        props.put("training.full-network.initialisation", "SCRATCH");
        props.put("training.full-network.epochs", "1");
        props.put("training.full-network.image-size", "64");
        props.put("training.full-network.batch-size", "8");
        props.put("training.full-network.base-learning-rate", "0.001");
        props.put("training.full-network.max-learning-rate", "0.01");
        props.put("training.head.epochs", "5");
        props.put("training.validation.fraction", "0.4");
        props.put("training.validation.min-examples", "16");
        props.put("training.validation.min-groups-per-class", "1");
        props.put("training.model.backbone-cache", work.resolve("training-backbones").toString());
        props.put("training.reports.dir", work.resolve("reports").toString());
        props.put("kafka-streams.state.dir", work.resolve("streams-state").toString());
        return ServiceProcess.of("training-service", jar("training-service"), options.trainingPort(), freePort(),
                options, "1g", props, djl());
    }

    @AfterAll
    static void stopTheSystem() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (predictions != null) {
            predictions.close();
        }
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        Collections.reverse(reverse);
        reverse.forEach(ServiceProcess::stop);
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Order(1)
    void labelsStartAFineTuningRunAndInferenceSwapsBackboneAndHeadMidStreamWithoutLosingAScan() throws Exception {
        List<String> first = sendScans(FINE_TUNE_EVERY + 8);
        predictions.awaitAll(first, TIMEOUT);
        assertThat(predictions.of(first)).allSatisfy(p -> assertThat(p.backbone()).isEqualTo(BOOTSTRAP));

        AtomicBoolean streaming = new AtomicBoolean(true);
        List<String> streamed = Collections.synchronizedList(new ArrayList<>());
        Thread device = new Thread(() -> {
            try {
                while (streaming.get()) {
                    streamed.addAll(sendScans(1));
                    Thread.sleep(150);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        device.start();
        label(first.subList(0, FINE_TUNE_EVERY));

        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> !BOOTSTRAP.equals(model(options.inferencePort()).path("backbone").asText()));
        JsonNode served = model(options.inferencePort());
        String newBackbone = served.path("backbone").asText();
        Thread.sleep(3000); // the device keeps streaming across and after the swap
        streaming.set(false);
        device.join();
        List<String> after = sendScans(8);

        List<String> all = new ArrayList<>(streamed);
        all.addAll(after);
        predictions.awaitAll(all, TIMEOUT);
        predictions.settle();
        predictions.assertExactlyOneEach(first);
        predictions.assertExactlyOneEach(all);
        assertThat(predictions.of(after)).allSatisfy(p -> {
            assertThat(p.backbone()).isEqualTo(newBackbone);
            assertThat(p.modelVersion()).isEqualTo(served.path("headVersion").asText());
        });
        // In the order inference published them, the backbone changes once, from the bootstrap one to the new one.
        List<String> sequence = predictions.backbonesInOrder(all);
        assertThat(sequence).containsOnly(BOOTSTRAP, newBackbone);
        assertThat(sequence.subList(sequence.indexOf(newBackbone), sequence.size())).containsOnly(newBackbone);

        Map<String, ConsumerRecord<String, byte[]>> backbones = backboneRecords();
        fineTuned = EventCodecs.BACKBONE_MANIFEST.fromRecord(backbones.get(BackboneManifest.manifestKey(newBackbone)));
        assertThat(fineTuned.chunks()).isGreaterThan(1);
        assertThat(fineTuned.fineTunedFrom()).isEqualTo(BOOTSTRAP);
        // by default served as int8: the float weights travel with the ranges, and the id names both
        assertThat(fineTuned.servedQuantised()).isPresent();
        assertThat(newBackbone).endsWith("-int8-" + fineTuned.quantization().fingerprint());
        assertThat(assemble(backbones, fineTuned)).isInstanceOf(BackboneChunks.Complete.class);
        ModelArtifact version = latestVersion();
        assertThat(version.metadata().backbone()).isEqualTo(fineTuned.reference());
        assertThat(version.metadata().version()).isEqualTo(served.path("headVersion").asText());
    }

    @Test
    @Order(2)
    void aFreshInferenceReplicaBootstrapsTheWholeNetworkFromKafkaAlone() throws Exception {
        ServiceProcess replica = inference("inference-replica", freePort(), "inference-fine-tuning-it-replica",
                work.resolve("replica-backbones-" + UUID.randomUUID()));
        try {
            replica.start(Duration.ofMinutes(3));
            await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() ->
                    fineTuned.backboneId().equals(model(replica.port()).path("backbone").asText()));
            assertThat(model(replica.port()).path("headVersion").asText()).isEqualTo(latestVersion().metadata().version());
        } finally {
            replica.stop();
        }
    }

    @Test
    @Order(3)
    void aTrainingServiceKilledMidFineTuningPublishesNoHalfVersionAndStartsTheRunAgain() throws Exception {
        int port = options.trainingPort();
        int runsBefore = runs(port).size();
        List<String> more = sendScans(FINE_TUNE_EVERY);
        predictions.awaitAll(more, TIMEOUT);
        label(more);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> runs(port).size() > runsBefore
                && "RUNNING".equals(runs(port).get(0).path("state").asText()));
        assertThat(runs(port).get(0).path("mode").asText()).isEqualTo("FULL_NETWORK");
        ServiceProcess training = services.get("training");
        training.kill(); // SIGKILL mid-run
        String versionAtKill = latestVersion().metadata().version();

        Thread.sleep(3000);
        assertThat(latestVersion().metadata().version()).isEqualTo(versionAtKill);
        assertEveryVersionRefersToACompleteBackbone();

        training.start(Duration.ofMinutes(3));
        // The labels given after the backbone in service was made count again: the run starts over by itself.
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> runs(port).stream().anyMatch(r ->
                "FULL_NETWORK".equals(r.path("mode").asText()) && "LABELS".equals(r.path("trigger").asText())
                        && "FINISHED".equals(r.path("state").asText())));
        JsonNode resumed = runs(port).stream().filter(r -> "FULL_NETWORK".equals(r.path("mode").asText()))
                .findFirst().orElseThrow();
        assertThat(resumed.path("outcome").asText()).isIn("PUBLISHED", "GATED_OUT");
        assertEveryVersionRefersToACompleteBackbone();
    }

    @Test
    @Order(4)
    void aVersionWhoseBackboneHasACorruptOrAMissingChunkIsRefusedAndTheServingNetworkStays() throws Exception {
        ModelArtifact serving = latestVersion();
        // The previous scenario's run may have just published: wait until inference has swapped that version in,
        // or the swap would land between "before" and "after" below.
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> serving.metadata().version()
                .equals(model(options.inferencePort()).path("headVersion").asText()));
        JsonNode before = model(options.inferencePort());
        Map<String, ConsumerRecord<String, byte[]>> records = backboneRecords();
        BackboneManifest real = EventCodecs.BACKBONE_MANIFEST.fromRecord(
                records.get(BackboneManifest.manifestKey(serving.metadata().backboneId())));
        byte[] weights = ((BackboneChunks.Complete) assemble(records, real)).weights();

        publishCopy(real, weights, "mobilenet_v2:c0rrupt00001", serving, "v-corrupt-chunk", chunks -> {
            chunks.get(0)[100] ^= 1; // a flipped bit
            return chunks;
        });
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() ->
                refused("CORRUPT_BACKBONE") >= 1);
        publishCopy(real, weights, "mobilenet_v2:m1ss1ng00001", serving, "v-missing-chunk", chunks -> {
            chunks.set(1, null); // never sent
            return chunks;
        });
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() ->
                refused("INCOMPLETE_BACKBONE") >= 1);

        JsonNode after = model(options.inferencePort());
        assertThat(after.path("backbone").asText()).isEqualTo(before.path("backbone").asText());
        assertThat(after.path("headVersion").asText()).isEqualTo(before.path("headVersion").asText());
        List<String> still = sendScans(4);
        predictions.awaitAll(still, TIMEOUT);
        assertThat(predictions.of(still)).allSatisfy(p ->
                assertThat(p.backbone()).isEqualTo(before.path("backbone").asText()));
    }

    // --- helpers ---

    /** A copy of a published backbone under another id, its chunks changed, and a version that refers to it. */
    private static void publishCopy(BackboneManifest real, byte[] weights, String id, ModelArtifact serving,
                                     String version,
                                     java.util.function.UnaryOperator<List<byte[]>> damage) throws Exception {
        BackboneManifest copy = new BackboneManifest(id, real.architecture(), real.readout(), real.format(),
                real.sizeBytes(), real.sha256(), real.chunkBytes(), real.chunks(), OffsetDateTime.now(), null,
                real.backboneId(), real.trainedOn(), real.quantization());
        List<byte[]> chunks = damage.apply(new ArrayList<>(BackboneChunks.split(weights, real.chunkBytes())));
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i) != null) {
                producer.send(EventCodecs.BACKBONE_CHUNK.toRecord(options.topic(Topics.MODELS_BACKBONES),
                        new BackboneChunk(id, i, chunks.get(i)))).get();
            }
        }
        producer.send(EventCodecs.BACKBONE_MANIFEST.toRecord(options.topic(Topics.MODELS_BACKBONES), copy)).get();
        ModelMetadata m = serving.metadata();
        ModelArtifact artifact = new ModelArtifact(new ModelMetadata(m.modelName(), version, OffsetDateTime.now(), id,
                m.head(), m.metrics(), m.weightsSha256(), null, null, m.trainedOn(), null, copy.reference(),
                m.preprocessing()), serving.weights());
        // signed as training signs: the damage under test is the backbone's, not a forged version
        producer.send(EventCodecs.signedModelRecord(options.topic(Topics.MODELS_PUBLISHED),
                new ModelPublished(artifact), signIn.modelSigner())).get();
    }

    private static void assertEveryVersionRefersToACompleteBackbone() {
        Map<String, ConsumerRecord<String, byte[]>> backbones = backboneRecords();
        for (ModelArtifact version : versions()) {
            BackboneRef ref = version.metadata().backbone();
            if (ref == null || ref.source() == BackboneRef.Source.BOOTSTRAP) {
                continue;
            }
            ConsumerRecord<String, byte[]> manifest = backbones.get(BackboneManifest.manifestKey(ref.id()));
            assertThat(manifest).as("manifest of " + ref.id()).isNotNull();
            assertThat(assemble(backbones, EventCodecs.BACKBONE_MANIFEST.fromRecord(manifest)))
                    .as(version.metadata().version()).isInstanceOf(BackboneChunks.Complete.class);
        }
    }

    private static BackboneChunks.Assembly assemble(Map<String, ConsumerRecord<String, byte[]>> records,
                                                    BackboneManifest manifest) {
        BackboneChunks.Assembler assembler = new BackboneChunks.Assembler();
        for (int i = 0; i < manifest.chunks(); i++) {
            ConsumerRecord<String, byte[]> r = records.get(BackboneManifest.chunkKey(manifest.backboneId(), i));
            if (r != null) {
                BackboneChunk chunk = EventCodecs.BACKBONE_CHUNK.fromRecord(r);
                assembler.chunk(chunk.index(), chunk.bytes());
            }
        }
        return assembler.assemble(manifest);
    }

    /** The latest record per key on models.backbones. */
    private static Map<String, ConsumerRecord<String, byte[]>> backboneRecords() {
        Map<String, ConsumerRecord<String, byte[]>> latest = new HashMap<>();
        readAll(options.topic(Topics.MODELS_BACKBONES)).forEach(r -> latest.put(r.key(), r));
        latest.values().removeIf(r -> r.value() == null);
        return latest;
    }

    private static List<ModelArtifact> versions() {
        return readAll(options.topic(Topics.MODELS_PUBLISHED)).stream().filter(r -> r.key() != null && r.key().startsWith(MODEL + "/"))
                .map(r -> EventCodecs.MODEL_PUBLISHED.fromRecord(r).artifact()).toList();
    }

    private static ModelArtifact latestVersion() {
        List<ModelArtifact> all = versions();
        assertThat(all).as("versions on models.published").isNotEmpty();
        return all.get(all.size() - 1);
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            return out;
        }
    }

    private static void label(List<String> scanIds) throws Exception {
        for (String scanId : scanIds) {
            producer.send(EventCodecs.LABELLED.toRecord(options.topic(Topics.SCANS_LABELS),
                    new ScanLabel(scanId, truth.get(scanId), "fine-tuning-test-radiologist", OffsetDateTime.now())));
            labelled.add(scanId);
        }
        producer.flush();
    }

    private static List<String> sendScans(int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long index = nextIndex++;
            SyntheticScan scan = generator.scan(index);
            producer.send(EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED), new ScanArrived(
                    scan.scanId(), DEVICE, OffsetDateTime.now(), scan.patientRef(), scan.contentType(), scan.bytes())))
                    .get();
            truth.put(scan.scanId(), scan.label());
            ids.add(scan.scanId());
        }
        return ids;
    }

    private static JsonNode model(int port) throws Exception {
        return JSON.readTree(get(port, "/model"));
    }

    private static List<JsonNode> runs(int port) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(get(port, "/training/runs")).forEach(out::add);
        return out;
    }

    private static double refused(String reason) throws Exception {
        return new ServiceMetrics(services.get("inference").managementPort()).sum(
                "scanstream_inference_model_refused_total{reason=\"" + reason + "\"}");
    }

    private static String get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + signIn.toolToken("fine-tuning-test-operator", "operator"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, String> djl() {
        return Map.of("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
    }



    /** Predictions as downstream sees them (read_committed), in the order of the topic. */
    private static final class Predictions implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, List<ScanPrediction>> byScan = new HashMap<>();
        private final List<ScanPrediction> inOrder = new ArrayList<>();

        Predictions(String bootstrapServers, String topic) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, "fine-tuning-it-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic));
        }

        void poll(Duration timeout) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
                ScanPrediction p = EventCodecs.PREDICTED.fromRecord(r);
                byScan.computeIfAbsent(p.scanId(), k -> new ArrayList<>()).add(p);
                inOrder.add(p);
            }
        }

        void awaitAll(List<String> ids, Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                poll(Duration.ofMillis(200));
                if (byScan.keySet().containsAll(ids)) {
                    return;
                }
            }
            throw new AssertionError("no prediction within " + timeout + " for "
                    + ids.stream().filter(id -> !byScan.containsKey(id)).toList());
        }

        void settle() {
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                poll(Duration.ofMillis(200));
            }
        }

        void assertExactlyOneEach(List<String> ids) {
            ids.forEach(id -> assertThat(byScan.getOrDefault(id, List.of())).as("predictions of " + id).hasSize(1));
        }

        List<ScanPrediction> of(List<String> ids) {
            return ids.stream().flatMap(id -> byScan.getOrDefault(id, List.of()).stream()).toList();
        }

        /**
         * The backbones of these scans' predictions by time of prediction (scans spread over partitions: the
         * publication order across partitions is the order in which the one batch thread made them).
         */
        List<String> backbonesInOrder(List<String> ids) {
            java.util.Set<String> wanted = new java.util.HashSet<>(ids);
            return inOrder.stream().filter(p -> wanted.contains(p.scanId()))
                    .sorted(java.util.Comparator.comparing(ScanPrediction::predictedAt))
                    .map(ScanPrediction::backbone).toList();
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
