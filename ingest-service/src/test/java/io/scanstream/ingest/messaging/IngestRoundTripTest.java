package io.scanstream.ingest.messaging;

import java.net.URL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * The ingest flow through the real broker: devices publish to {@code scans.arrived}; every record ends as exactly
 * one {@code scans.preprocessed} or one {@code scans.rejected} event, and a bad record never stops the next.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "/devices/http-cam", roles = Roles.DEVICE)
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class IngestRoundTripTest {
    /** Health and metrics are served on the management interface (its own port). */
    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementHealthReady;
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;
    @TestHTTPResource(value = "/health/live", management = true)
    URL managementHealthLive;


    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(run.hashCode());

    @Test
    void preprocessesEveryGoodScanOnceUnderItsId() {
        int n = 12;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SyntheticScan scan = generator.scan(i);
            String id = run + "-good-" + i;
            ids.add(id);
            KAFKA.client().send(arrival(id, scan.contentType(), scan.bytes(), "MRN-" + (i / 3)));
        }
        List<ScanPreprocessed> out = preprocessed(ids, n);
        assertThat(out).extracting(ScanPreprocessed::scanId).containsExactlyInAnyOrderElementsOf(ids);
        for (ScanPreprocessed scan : out) {
            assertThat(scan.image().width()).isEqualTo(224);
            assertThat(scan.image().height()).isEqualTo(224);
            assertThat(scan.patientPseudonym()).startsWith("p-").doesNotContain("MRN");
            assertThat(scan.device()).isEqualTo(URI.create("/devices/ct-test"));
        }
        assertThat(rejected(ids, 0, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void rejectsEachBadInputOnceAndKeepsProcessingTheNextGoodScan() throws Exception {
        SyntheticScan good = generator.scan(0, 320, 240, PixelType.GREY8, ImageFormat.PNG);
        byte[] png = good.bytes();
        byte[] jpeg = generator.scan(1, 320, 240, PixelType.GREY8, ImageFormat.JPEG).bytes();
        byte[] random = new byte[5000];
        new Random(3).nextBytes(random);
        random[0] = 0x42;

        Map<String, RejectionReason> expected = new LinkedHashMap<>();
        List<String> goodIds = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        int[] next = {0};
        java.util.function.BiConsumer<ProducerRecord<String, byte[]>, RejectionReason> bad = (record, reason) -> {
            records.add(record);
            expected.put(record.key(), reason);
            // After every bad record, a good one that must still be processed.
            String goodId = run + "-after-" + next[0]++;
            SyntheticScan scan = generator.scan(100 + next[0]);
            records.add(arrival(goodId, scan.contentType(), scan.bytes(), null));
            goodIds.add(goodId);
        };
        bad.accept(arrival(run + "-empty", "image/png", new byte[0], null), RejectionReason.CORRUPT_IMAGE);
        bad.accept(arrival(run + "-random", "image/png", random, null), RejectionReason.UNSUPPORTED_FORMAT);
        bad.accept(arrival(run + "-truncpng", "image/png", Arrays.copyOf(png, png.length / 2), null), RejectionReason.CORRUPT_IMAGE);
        bad.accept(arrival(run + "-truncjpg", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length / 2), null), RejectionReason.CORRUPT_IMAGE);
        bad.accept(arrival(run + "-bomb", "image/png", pngHeaderDeclaring(100_000, 100_000), null), RejectionReason.TOO_LARGE);
        bad.accept(arrival(run + "-gif", "image/gif", encode("gif"), null), RejectionReason.UNSUPPORTED_FORMAT);
        bad.accept(arrival(run + "-bmp", "image/png", encode("bmp"), null), RejectionReason.UNSUPPORTED_FORMAT);
        bad.accept(arrival(run + "-mismatch", "image/png", jpeg, null), RejectionReason.UNSUPPORTED_FORMAT);
        bad.accept(arrival(run + "-huge", "image/png", new byte[5 * 1024 * 1024], null), RejectionReason.TOO_LARGE);
        ProducerRecord<String, byte[]> noId = arrival(run + "-noid", "image/png", png, null);
        noId.headers().remove("ce_id");
        bad.accept(noId, RejectionReason.MISSING_ATTRIBUTE);
        // The first copy is accepted, the second is the duplicate.
        String dupId = run + "-dup";
        records.add(arrival(dupId, "image/png", png, null));
        goodIds.add(dupId);
        bad.accept(arrival(dupId, "image/png", png, null), RejectionReason.DUPLICATE);

        records.forEach(KAFKA.client()::send);

        List<ScanRejected> rejections = rejected(expected.keySet(), expected.size(), TIMEOUT);
        assertThat(rejections).hasSize(expected.size());
        Map<String, RejectionReason> actual = rejections.stream()
                .collect(Collectors.toMap(ScanRejected::scanId, ScanRejected::reason));
        assertThat(actual).isEqualTo(expected);
        assertThat(rejections).allSatisfy(r -> {
            assertThat(r.stage()).isEqualTo("ingest");
            assertThat(r.detail()).isNotBlank();
            assertThat(r.source()).isEqualTo("/devices/ct-test");
        });
        assertThat(preprocessed(goodIds, goodIds.size())).extracting(ScanPreprocessed::scanId)
                .containsExactlyInAnyOrderElementsOf(goodIds);
    }

    @Test
    void aPngWhoseRasterExceedsTheBudgetIsRejectedAndTheScansAfterItArePreprocessed() {
        // 6324x6324 16-bit RGBA: within the width, height and pixel limits, but a 320 MB raster. Before the decode
        // budget the decoder allocated it (an OutOfMemoryError beside a full batch lost the batch's scans).
        String bomb = run + "-raster-bomb";
        KAFKA.client().send(arrival(bomb, "image/png", pngDeclaring(6324, 6324, 16, 6), null));
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SyntheticScan scan = generator.scan(200 + i);
            String id = run + "-after-bomb-" + i;
            after.add(id);
            KAFKA.client().send(arrival(id, scan.contentType(), scan.bytes(), null));
        }
        List<ScanRejected> rejections = rejected(Set.of(bomb), 1, TIMEOUT);
        assertThat(rejections).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectionReason.TOO_LARGE);
            assertThat(r.detail()).contains("6324x6324").contains("raster");
            assertThat(r.stage()).isEqualTo("ingest");
        });
        assertThat(preprocessed(after, after.size())).extracting(ScanPreprocessed::scanId)
                .containsExactlyInAnyOrderElementsOf(after);
    }

    @Test
    void livenessReportsTheTransactionsOfTheProducer() {
        SyntheticScan scan = generator.scan(6);
        KAFKA.client().send(arrival(run + "-live", scan.contentType(), scan.bytes(), null));
        preprocessed(List.of(run + "-live"), 1);
        given().when().get(managementHealthLive.toString()).then().statusCode(200)
                .body(containsString("ingest transactions")).body(containsString("consecutiveFailures"))
                .body(containsString("lastCommit"));
    }

    @Test
    void acceptsScansUploadedOverHttp() {
        SyntheticScan scan = generator.scan(3);
        String id = run + "-http";
        given().contentType(scan.contentType()).header("ce-id", id).header("ce-source", "/devices/http-cam")
                .header("ce-time", "2026-11-25T10:15:30Z").header("ce-subject", "MRN-99").body(scan.bytes())
                .when().post("/scans")
                .then().statusCode(202).body(containsString(id));
        List<ScanPreprocessed> out = preprocessed(List.of(id), 1);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).device()).isEqualTo(URI.create("/devices/http-cam"));
        assertThat(out.get(0).acquiredAt()).isEqualTo(OffsetDateTime.parse("2026-11-25T10:15:30Z"));
        assertThat(out.get(0).patientPseudonym()).startsWith("p-");
    }

    @Test
    void httpUploadAssignsAnIdAndRefusesRequestsWithoutSource() {
        SyntheticScan scan = generator.scan(4);
        String id = given().contentType(scan.contentType()).header("ce-source", "/devices/http-cam").body(scan.bytes())
                .when().post("/scans").then().statusCode(202).extract().path("scanId");
        assertThat(preprocessed(List.of(id), 1)).hasSize(1);

        given().contentType(scan.contentType()).body(scan.bytes()).when().post("/scans")
                .then().statusCode(400).body(containsString("MISSING_ATTRIBUTE"));
        given().contentType("image/png").header("ce-source", "/d").body(new byte[0]).when().post("/scans")
                .then().statusCode(400);
    }

    @Test
    void httpUploadOfABadImageEndsAsARejectionEvent() {
        String id = run + "-http-bad";
        given().contentType("image/png").header("ce-id", id).header("ce-source", "/devices/http-cam")
                .body("definitely not a png".getBytes(StandardCharsets.UTF_8))
                .when().post("/scans").then().statusCode(202);
        List<ScanRejected> rejections = rejected(Set.of(id), 1, TIMEOUT);
        assertThat(rejections).singleElement().extracting(ScanRejected::reason).isEqualTo(RejectionReason.UNSUPPORTED_FORMAT);
    }

    @Test
    void exposesIngestMetricsAndReadiness() {
        SyntheticScan scan = generator.scan(5);
        KAFKA.client().send(arrival(run + "-metrics", scan.contentType(), scan.bytes(), null));
        preprocessed(List.of(run + "-metrics"), 1);
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("scanstream_ingest_scans_received_total"))
                .body(containsString("scanstream_ingest_scans_accepted_total"))
                .body(containsString("scanstream_ingest_scans_rejected_total{reason=\"TOO_LARGE\""))
                .body(containsString("scanstream_ingest_preprocess_seconds_bucket"))
                .body(containsString("scanstream_ingest_payload_bytes_sum"))
                .body(containsString("scanstream_ingest_in_flight"));
        given().when().get(managementHealthReady.toString()).then().statusCode(200).body(containsString("UP"));
    }

    private List<ScanPreprocessed> preprocessed(java.util.Collection<String> ids, int expected) {
        Set<String> wanted = Set.copyOf(ids);
        List<ConsumerRecord<String, byte[]>> records = KAFKA.client().collect(Topics.SCANS_PREPROCESSED,
                r -> wanted.contains(r.key()), expected, TIMEOUT);
        return records.stream().map(EventCodecs.PREPROCESSED::fromRecord).toList();
    }

    @Test
    void remembersEachAcceptedScanOnTheSeenTopicInItsArrivalPartition() {
        SyntheticScan scan = generator.scan(21);
        String id = run + "-seen";
        KAFKA.client().send(arrival(id, scan.contentType(), scan.bytes(), null));
        assertThat(preprocessed(List.of(id), 1)).hasSize(1);
        int arrivalPartition = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(id.getBytes(StandardCharsets.UTF_8)))
                % Topics.ARRIVED.partitions();
        List<ConsumerRecord<String, byte[]>> seen = KAFKA.client().collect(Topics.SCANS_SEEN, r -> id.equals(r.key()),
                1, TIMEOUT);
        assertThat(seen).singleElement().satisfies(r -> {
            assertThat(r.partition()).isEqualTo(arrivalPartition);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"contentSha256\":\""
                    + io.scanstream.core.integrity.Sha256.hex(scan.bytes()) + "\",\"outcome\":\"ACCEPTED\"}");
        });
        // A rejected scan is not remembered: it may come again, fixed.
        String bad = run + "-seen-bad";
        KAFKA.client().send(arrival(bad, "image/png", new byte[] {1, 2, 3}, null));
        assertThat(rejected(List.of(bad), 1, TIMEOUT)).hasSize(1);
        assertThat(KAFKA.client().collect(Topics.SCANS_SEEN, r -> bad.equals(r.key()), 1, Duration.ofSeconds(5)))
                .isEmpty();
    }

    @Test
    void reportsTheCommittedLagOfItsConsumerGroup() {
        SyntheticScan scan = generator.scan(22);
        String id = run + "-lag";
        KAFKA.client().send(arrival(id, scan.contentType(), scan.bytes(), null));
        assertThat(preprocessed(List.of(id), 1)).hasSize(1);
        // Every arrival committed: the gauge (read every 2 s in tests) comes down to 0 for the group on its topic.
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "scanstream_consumer_group_lag\\{[^}]*group=\"ingest-service\"[^}]*topic=\"scans.arrived\"[^}]*} (\\S+)");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            java.util.regex.Matcher m = line.matcher(given().get(managementMetrics.toString()).then().statusCode(200)
                    .extract().asString());
            assertThat(m.find()).as("the gauge is exported").isTrue();
            assertThat(Double.parseDouble(m.group(1))).isEqualTo(0.0);
        });
    }

    private List<ScanRejected> rejected(java.util.Collection<String> ids, int expected, Duration timeout) {
        Set<String> wanted = Set.copyOf(ids);
        return KAFKA.client().collect(Topics.SCANS_REJECTED, r -> wanted.contains(r.key()), expected, timeout).stream()
                .map(EventCodecs.REJECTED::fromRecord).toList();
    }

    static ProducerRecord<String, byte[]> arrival(String id, String contentType, byte[] bytes, String patient) {
        return EventCodecs.ARRIVED.toRecord(Topics.SCANS_ARRIVED, new ScanArrived(id, URI.create("/devices/ct-test"),
                OffsetDateTime.parse("2026-11-25T09:00:00Z"), patient, contentType, bytes));
    }

    private static byte[] encode(String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), format, out);
        return out.toByteArray();
    }

    /** A whole PNG (IHDR, a tiny IDAT, IEND, CRCs right) declaring a size, bit depth and colour type (6: RGBA). */
    private static byte[] pngDeclaring(int width, int height, int bitDepth, int colourType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colourType).put(new byte[3]).array());
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(new byte[8192]);
        deflater.finish();
        byte[] idat = new byte[1024];
        int length = deflater.deflate(idat);
        deflater.end();
        chunk(out, "IDAT", Arrays.copyOf(idat, length));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] pngHeaderDeclaring(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put(new byte[] {8, 0, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 4 + 17 + 4)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }
}
