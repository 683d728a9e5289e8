package io.scanstream.system;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.local.KafkaBroker;
import io.scanstream.local.LocalStackOptions;
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
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.scanstream.system.SystemStack.freePort;
import static io.scanstream.system.SystemStack.jar;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DICOM end to end, with the service jars as processes and a broker from Kafka's jars: CT slices as a scanner sends
 * them on {@code scans.arrived} (uncompressed, JPEG lossless, RLE) and as a PACS stores them over STOW-RS end as
 * predictions under the pseudonymised SOP Instance UID; damaged instances as rejections. Ingest and inference only
 * (no training): bounded to a couple of minutes beside {@link SystemIT}.
 */
class DicomSystemIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String KEY = SystemTestKeys.PSEUDONYMISATION;
    private static final URI DEVICE = URI.create("/devices/ct-dicom-system-test");
    private static final Path ROOT = Repository.root();

    private static LocalStackOptions options;
    private static io.scanstream.local.LocalSignIn signIn;
    private static KafkaBroker broker;
    private static final List<ServiceProcess> services = new ArrayList<>();
    private static KafkaProducer<String, byte[]> producer;
    private final DicomPseudonyms pseudonyms = new DicomPseudonyms(KEY);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(20261201);

    @BeforeAll
    static void startIngestAndInference() throws Exception {
        Path work = ROOT.resolve("system-tests/target/dicom-system-it");
        options = LocalStackOptions.parse(List.of(
                "--kafka-port", String.valueOf(freePort()), "--controller-port", String.valueOf(freePort()),
                "--ingest-port", String.valueOf(freePort()), "--inference-port", String.valueOf(freePort()),
                "--training-port", String.valueOf(freePort()), "--work-dir", work.toString()), ROOT);
        broker = new KafkaBroker(options, ROOT.resolve("local-stack/target/kafka-libs"));
        broker.start();
        signIn = io.scanstream.local.LocalSignIn.open(work);
        services.add(ServiceProcess.of("ingest-service", jar("ingest-service"), options.ingestPort(), freePort(),
                options, "384m", signIn.serviceProperties(), Map.of("INGEST_PSEUDONYMISATION_KEY", KEY)));
        Map<String, String> inference = new java.util.HashMap<>(signIn.serviceProperties());
        inference.putAll(Map.of("inference.model.backbone", "mobilenet_v2",
                        "inference.kafka.transactional-id", "inference-dicom-system-it",
                        "inference.batching.max-batch-size", "8"));
        services.add(ServiceProcess.of("inference-service", jar("inference-service"), options.inferencePort(),
                freePort(), options, "768m", inference,
                Map.of("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString())));
        for (ServiceProcess service : services) {
            service.start(Duration.ofMinutes(3));
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 21 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).stop();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void dicomScansFromKafkaAndFromStowGetPredictionsUnderPseudonymisedIds() throws Exception {
        List<String> predicted = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        Map<String, RejectionReason> rejected = new LinkedHashMap<>();
        // A scanner on Kafka: ce_id = the raw SOP Instance UID.
        for (int i = 0; i < 6; i++) {
            SyntheticDicom.Compression compression = SyntheticDicom.Compression.values()[i % 3];
            SyntheticDicom.Identifiers ids = SyntheticDicom.Identifiers.of("MRN-" + (i / 2), "kafka-" + i);
            byte[] file = slice(i, ids, compression);
            send(ids.sopInstanceUid(), file, "MRN-" + (i / 2));
            predicted.add(pseudonyms.uid(ids.sopInstanceUid()));
            raw.add(ids.sopInstanceUid());
            if (i == 0) {
                send(ids.sopInstanceUid(), file, "MRN-0"); // sent twice: one prediction, one DUPLICATE
            }
        }
        SyntheticDicom.Identifiers broken = SyntheticDicom.Identifiers.of("MRN-9", "kafka-broken");
        byte[] whole = slice(9, broken, SyntheticDicom.Compression.JPEG_LOSSLESS);
        send(broken.sopInstanceUid(), Arrays.copyOf(whole, whole.length - 500), null);
        rejected.put(pseudonyms.uid(broken.sopInstanceUid()), RejectionReason.CORRUPT_IMAGE);
        raw.add(broken.sopInstanceUid());
        // A PACS over STOW-RS: two instances in one request.
        List<SyntheticDicom.Identifiers> stowed = List.of(SyntheticDicom.Identifiers.of("MRN-20", "stow-1"),
                SyntheticDicom.Identifiers.of("MRN-20", "stow-2"));
        HttpResponse<String> response = stow(List.of(slice(20, stowed.get(0), SyntheticDicom.Compression.JPEG_LOSSLESS),
                slice(21, stowed.get(1), SyntheticDicom.Compression.NONE)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (SyntheticDicom.Identifiers ids : stowed) {
            String scanId = pseudonyms.uid(ids.sopInstanceUid());
            assertThat(response.body()).contains(scanId);
            predicted.add(scanId);
            raw.add(ids.sopInstanceUid());
        }

        Outcomes outcomes = Outcomes.await(predicted, rejected.keySet());
        assertThat(outcomes.predictions.keySet()).containsAll(predicted);
        for (String id : predicted) {
            assertThat(outcomes.predictions.get(id)).as(id).singleElement().satisfies(p -> {
                assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED); // no head trained here
                assertThat(p.backbone()).isEqualTo("mobilenet_v2:random");
            });
        }
        rejected.forEach((id, reason) -> assertThat(outcomes.rejections.get(id)).as(id).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(reason)));
        assertThat(outcomes.rejections.get(predicted.get(0))).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DUPLICATE));
        // No raw instance UID anywhere downstream.
        assertThat(outcomes.keys).doesNotContainAnyElementsOf(raw);
    }

    // --- the devices ---

    private byte[] slice(int index, SyntheticDicom.Identifiers ids, SyntheticDicom.Compression compression) {
        ClinicalLabel label = index % 2 == 0 ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
        return SyntheticDicom.ctSlice(generator.render(index, label, 384, 320), ids, compression);
    }

    private static void send(String ceId, byte[] file, String patient) throws Exception {
        producer.send(EventCodecs.ARRIVED.toRecord(options.topic(Topics.SCANS_ARRIVED),
                new ScanArrived(ceId, DEVICE, OffsetDateTime.now(), patient, "application/dicom", file))).get();
    }

    /** A STOW-RS request as a DICOMweb client sends it (multipart/related, one application/dicom part each). */
    private static HttpResponse<String> stow(List<byte[]> instances) throws Exception {
        String boundary = "dicom-system-it-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] instance : instances) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(instance);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + options.ingestPort() + "/studies"))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                // A PACS with the device role (a token of the stack's local issuer).
                .header("Authorization", "Bearer " + signIn.toolToken("/devices/pacs-system-test", "device"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }



    /** Predictions and rejections as downstream reads them (read_committed). */
    private static final class Outcomes {
        final Map<String, List<ScanPrediction>> predictions = new HashMap<>();
        final Map<String, List<ScanRejected>> rejections = new HashMap<>();
        final List<String> keys = new ArrayList<>();

        static Outcomes await(List<String> predicted, java.util.Set<String> rejected) {
            Outcomes o = new Outcomes();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "dicom-system-it-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(options.topic(Topics.SCANS_PREDICTIONS), options.topic(Topics.SCANS_REJECTED)));
                long end = System.nanoTime() + TIMEOUT.toNanos();
                long settleUntil = Long.MAX_VALUE;
                while (System.nanoTime() < Math.min(end, settleUntil)) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        o.keys.add(r.key());
                        if (r.topic().equals(options.topic(Topics.SCANS_PREDICTIONS))) {
                            ScanPrediction p = EventCodecs.PREDICTED.fromRecord(r);
                            o.predictions.computeIfAbsent(p.scanId(), k -> new ArrayList<>()).add(p);
                        } else {
                            ScanRejected x = EventCodecs.REJECTED.fromRecord(r);
                            o.rejections.computeIfAbsent(x.scanId(), k -> new ArrayList<>()).add(x);
                        }
                    }
                    boolean all = o.predictions.keySet().containsAll(predicted) && o.rejections.keySet().containsAll(rejected)
                            && o.rejections.containsKey(predicted.get(0));
                    if (all && settleUntil == Long.MAX_VALUE) {
                        settleUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // late doubles would show
                    }
                }
            }
            return o;
        }
    }
}
