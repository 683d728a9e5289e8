package io.scanstream.ingest.messaging;

import io.scanstream.service.security.Roles;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.DicomTag;
import io.scanstream.core.dicom.HounsfieldWindow;
import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.mime.MultipartEntityBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.scanstream.ingest.messaging.IngestRoundTripTest.arrival;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DICOM through the real broker: raw instances on {@code scans.arrived} and instances stored over DICOMweb
 * STOW-RS end as preprocessed scans under the pseudonymised SOP Instance UID, bad instances as one rejection each,
 * and what STOW publishes carries no patient attribute.
 */
// Calls the API as a caller with these roles (HttpAuthorisationTest covers tokens, 401 and 403).
@TestSecurity(user = "/devices/pacs-1", roles = Roles.DEVICE)
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class DicomRoundTripTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String DICOM = "application/dicom";
    private static final String STOW_TYPE = "multipart/related; type=\"application/dicom\"";
    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();
    /** The test profile's key (application.properties, security block). */
    private final DicomPseudonyms pseudonyms = new DicomPseudonyms(
            org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("ingest.pseudonymisation-key", String.class));
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(run.hashCode());

    @Test
    void dicomScansOnTheTopicArePreprocessedUnderThePseudonymisedSopInstanceUid() {
        List<String> expected = new ArrayList<>();
        int i = 0;
        for (SyntheticDicom.Compression compression : SyntheticDicom.Compression.values()) {
            SyntheticDicom.Identifiers ids = ids("P-" + i, i);
            KAFKA.client().send(arrival(ids.sopInstanceUid(), DICOM, slice(i, ids, compression), "P-" + i));
            expected.add(pseudonyms.uid(ids.sopInstanceUid()));
            i++;
        }
        List<ScanPreprocessed> out = preprocessed(expected, expected.size());
        assertThat(out).extracting(ScanPreprocessed::scanId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(out).allSatisfy(scan -> {
            assertThat(scan.sourceFormat()).isEqualTo(ImageFormat.DICOM);
            assertThat(scan.image().width()).isEqualTo(224);
            assertThat(scan.patientPseudonym()).startsWith("p-");
        });
    }

    @Test
    void eachBadDicomIsRejectedOnceAndTheNextGoodOneStillPreprocessed() {
        SyntheticDicom.Identifiers ids = ids("P-bad", 0);
        GreyImage image = generator.render(0, ClinicalLabel.NON_COVID, 128, 96);
        byte[] good = SyntheticDicom.ctSlice(image, ids, SyntheticDicom.Compression.JPEG_LOSSLESS);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        Map<String, RejectionReason> reasons = new LinkedHashMap<>();
        bad.put("png-bytes", SyntheticCtGenerator.encode(image, io.scanstream.core.imaging.PixelType.GREY8, ImageFormat.PNG));
        reasons.put("png-bytes", RejectionReason.UNSUPPORTED_FORMAT);
        bad.put("truncated", Arrays.copyOf(good, good.length - 300));
        reasons.put("truncated", RejectionReason.CORRUPT_IMAGE);
        bad.put("rgb", writer(image, ids).string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "RGB").toBytes());
        reasons.put("rgb", RejectionReason.UNSUPPORTED_FORMAT);
        bad.put("no-pixels", writer(image, ids).remove(DicomTag.PIXEL_DATA).toBytes());
        reasons.put("no-pixels", RejectionReason.UNSUPPORTED_FORMAT);
        bad.put("rows-too-many", writer(image, ids).uint16(DicomTag.ROWS, 97).toBytes());
        reasons.put("rows-too-many", RejectionReason.CORRUPT_IMAGE);

        Map<String, RejectionReason> expected = new LinkedHashMap<>();
        List<String> goodIds = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            String ceId = "1.2.826.0.1.3680043.9.7." + Math.abs(run.hashCode()) + "." + n++;
            KAFKA.client().send(arrival(ceId, DICOM, e.getValue(), "P-bad"));
            expected.put(pseudonyms.uid(ceId), reasons.get(e.getKey()));
            SyntheticDicom.Identifiers next = ids("P-after", n);
            KAFKA.client().send(arrival(next.sopInstanceUid(), DICOM, slice(n, next, SyntheticDicom.Compression.NONE), null));
            goodIds.add(pseudonyms.uid(next.sopInstanceUid()));
        }
        List<ScanRejected> rejections = rejected(expected.keySet(), expected.size());
        assertThat(rejections.stream().collect(Collectors.toMap(ScanRejected::scanId, ScanRejected::reason)))
                .isEqualTo(expected);
        assertThat(preprocessed(goodIds, goodIds.size())).hasSize(goodIds.size());
    }

    @Test
    void stowStoresEveryGoodInstanceListsTheBadOnesAndPublishesOnlyDeidentifiedCopies() {
        SyntheticDicom.Identifiers a = ids("MRN-STOW-1", 1);
        SyntheticDicom.Identifiers b = ids("MRN-STOW-1", 2);
        byte[] first = slice(1, a, SyntheticDicom.Compression.JPEG_LOSSLESS);
        byte[] second = slice(2, b, SyntheticDicom.Compression.NONE);
        byte[] jpegLs = replaceAscii(slice(3, ids("MRN-STOW-1", 3), SyntheticDicom.Compression.JPEG_LOSSLESS),
                "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80");

        JsonPath response = stow(first, jpegLs, second).header("ce-source", "/devices/pacs-1")
                .when().post("/studies")
                .then().statusCode(202).contentType("application/dicom+json").extract().jsonPath();

        List<String> storedIds = response.getList("00081199.Value.00091001.Value.flatten()", String.class);
        assertThat(storedIds).containsExactly(pseudonyms.uid(a.sopInstanceUid()), pseudonyms.uid(b.sopInstanceUid()));
        assertThat(response.getList("00081199.Value.00081155.Value.flatten()", String.class))
                .containsExactly(a.sopInstanceUid(), b.sopInstanceUid()); // echoed to the sender, who sent them
        assertThat(response.getList("00081198.Value.00081197.Value.flatten()", Integer.class)).containsExactly(0xC122);
        assertThat(response.getList("00081198.Value.00091003.Value.flatten()", String.class).get(0)).contains("JPEG-LS");

        List<ScanPreprocessed> out = preprocessed(storedIds, 2);
        assertThat(out).extracting(ScanPreprocessed::patientPseudonym).containsOnly(pseudonyms.patient("MRN-STOW-1"));
        assertThat(out).extracting(s -> s.device().toString()).containsOnly("/devices/pacs-1");
        // What reached Kafka: de-identified instances, no raw identifier or patient attribute.
        List<ConsumerRecord<String, byte[]>> arrived = KAFKA.client().collect(Topics.SCANS_ARRIVED,
                r -> storedIds.contains(r.key()), 2, TIMEOUT);
        assertThat(arrived).hasSize(2).allSatisfy(r -> {
            String bytes = new String(r.value(), StandardCharsets.ISO_8859_1);
            assertThat(bytes).doesNotContain("MRN-STOW-1", "Phantom^", "Synthetic General Hospital", "19700101",
                    a.sopInstanceUid(), b.sopInstanceUid(), a.studyUid(), a.seriesUid());
            ScanArrived event = EventCodecs.ARRIVED.fromRecord(r);
            assertThat(event.patientRef()).isEqualTo(pseudonyms.patient("MRN-STOW-1"));
            assertThat(r.headers().lastHeader("ce_deidentified")).isNotNull();
        });
    }

    @Test
    void theSameInstanceStoredTwiceIsRejectedAsADuplicateOnTheTopic() {
        SyntheticDicom.Identifiers ids = ids("MRN-TWICE", 1);
        byte[] file = slice(7, ids, SyntheticDicom.Compression.RLE);
        String scanId = pseudonyms.uid(ids.sopInstanceUid());
        stow(file).when().post("/studies").then().statusCode(200);
        preprocessed(List.of(scanId), 1);
        stow(file).when().post("/studies").then().statusCode(200);
        assertThat(rejected(List.of(scanId), 1)).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DUPLICATE));
    }

    @Test
    void stowRefusesOtherMediaTypesAndRequestsWhereNothingCanBeStored() {
        given().contentType("multipart/related; type=\"application/dicom+json\"; boundary=x")
                .body("--x\r\n\r\n{}\r\n--x--".getBytes(StandardCharsets.US_ASCII)).when().post("/studies").then().statusCode(415);
        given().contentType("application/dicom").body(new byte[] {1, 2}).when().post("/studies").then().statusCode(415);
        JsonPath all = stow("not dicom".getBytes(StandardCharsets.US_ASCII)).when().post("/studies").then().statusCode(409).extract().jsonPath();
        assertThat(all.getList("00081198.Value.00091002.Value.flatten()", String.class)).containsExactly("UNSUPPORTED_FORMAT");
    }

    @Test
    void stowWorksWithCurlAsTheClient() throws Exception {
        assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed: STOW with curl skipped");
        SyntheticDicom.Identifiers ids = ids("MRN-CURL", 1);
        Path file = Files.createTempFile("stow", ".dcm");
        Files.write(file, slice(9, ids, SyntheticDicom.Compression.NONE));
        Process curl = new ProcessBuilder("/usr/bin/curl", "-s", "-w", "\n%{http_code}", "-X", "POST",
                "-H", "Content-Type: " + STOW_TYPE, "-F", "file=@" + file + ";type=application/dicom",
                "http://localhost:" + io.restassured.RestAssured.port + "/studies").redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).isZero();
        assertThat(output).endsWith("200").contains(pseudonyms.uid(ids.sopInstanceUid()));
        assertThat(preprocessed(List.of(pseudonyms.uid(ids.sopInstanceUid())), 1)).hasSize(1);
    }

    // --- helpers ---

    private SyntheticDicom.Identifiers ids(String patient, int index) {
        return SyntheticDicom.Identifiers.of(patient, run + "/" + index);
    }

    private byte[] slice(int index, SyntheticDicom.Identifiers ids, SyntheticDicom.Compression compression) {
        return SyntheticDicom.ctSlice(generator.render(index, ClinicalLabel.COVID, 160, 120), ids, compression);
    }

    private static io.scanstream.core.dicom.DicomWriter writer(GreyImage image, SyntheticDicom.Identifiers ids) {
        return SyntheticDicom.ctSliceWriter(image, ids, SyntheticDicom.Compression.NONE, HounsfieldWindow.LUNG);
    }

    /**
     * A STOW-RS request whose body Apache HttpComponents' multipart writer (httpmime) makes, as Java DICOMweb
     * clients do; REST Assured's own multipart support would drop the {@code type} parameter STOW-RS requires.
     */
    private static io.restassured.specification.RequestSpecification stow(byte[]... instances) {
        String boundary = "stow-" + UUID.randomUUID();
        MultipartEntityBuilder builder = MultipartEntityBuilder.create().setMimeSubtype("related").setBoundary(boundary);
        for (int i = 0; i < instances.length; i++) {
            builder.addBinaryBody("instance" + i, instances[i], ContentType.create(DICOM), "instance" + i + ".dcm");
        }
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        try {
            builder.build().writeTo(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return given().contentType(STOW_TYPE + "; boundary=" + boundary).body(body.toByteArray());
    }

    private static byte[] replaceAscii(byte[] bytes, String from, String to) {
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(from);
        byte[] copy = bytes.clone();
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, copy, at, to.length());
        return copy;
    }

    private List<ScanPreprocessed> preprocessed(java.util.Collection<String> ids, int expected) {
        Set<String> wanted = Set.copyOf(ids);
        return KAFKA.client().collect(Topics.SCANS_PREPROCESSED, r -> wanted.contains(r.key()), expected, TIMEOUT)
                .stream().map(EventCodecs.PREPROCESSED::fromRecord).toList();
    }

    private List<ScanRejected> rejected(java.util.Collection<String> ids, int expected) {
        Set<String> wanted = Set.copyOf(ids);
        return KAFKA.client().collect(Topics.SCANS_REJECTED, r -> wanted.contains(r.key()), expected, TIMEOUT)
                .stream().map(EventCodecs.REJECTED::fromRecord).toList();
    }
}
