package io.scanstream.ingest.domain;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.dicom.DicomDeidentifier;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.DicomReader;
import io.scanstream.core.dicom.DicomResult;
import io.scanstream.core.dicom.DicomTag;
import io.scanstream.core.dicom.HounsfieldWindow;
import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.privacy.PatientPseudonymizer;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.scanstream.ingest.domain.IngestPipelineTest.arrival;
import static org.assertj.core.api.Assertions.assertThat;

/** DICOM through the ingest logic: scan ids from the SOP Instance UID, the patient from PatientID, every bad case. */
class DicomIngestTest {

    private static final String KEY = "unit-test-pseudonymisation-key";
    private static final String DICOM = "application/dicom";
    private final DicomPseudonyms pseudonyms = new DicomPseudonyms(KEY);
    private final IngestPipeline pipeline = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 1000), KEY);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(17);
    private final GreyImage phantom = generator.render(4, ClinicalLabel.COVID, 256, 192);
    private final SyntheticDicom.Identifiers ids = SyntheticDicom.Identifiers.of("MRN-4711", "slice-1");

    @Test
    void acceptsADicomScanUnderItsPseudonymisedSopInstanceUidWithThePatientFromPatientId() {
        byte[] file = slice(SyntheticDicom.Compression.JPEG_LOSSLESS);
        IngestOutcome outcome = single(arrival(ids.sopInstanceUid(), DICOM, file, "MRN-4711"));

        assertThat(outcome).isInstanceOf(IngestOutcome.Accepted.class);
        ScanPreprocessed scan = ((IngestOutcome.Accepted) outcome).scan();
        assertThat(scan.scanId()).isEqualTo(pseudonyms.uid(ids.sopInstanceUid())).isNotEqualTo(ids.sopInstanceUid());
        assertThat(scan.patientPseudonym()).isEqualTo(new PatientPseudonymizer(KEY).pseudonymise("MRN-4711"));
        assertThat(scan.sourceFormat()).isEqualTo(ImageFormat.DICOM);
        assertThat(scan.sourceWidth()).isEqualTo(256);
        assertThat(scan.sourceHeight()).isEqualTo(192);
        assertThat(scan.contentSha256()).isEqualTo(read(file).pixelData().sha256());
        assertThat(((IngestOutcome.Accepted) outcome).sourcePixelType()).isEqualTo(PixelType.GREY16);
        assertThat(((IngestOutcome.Accepted) outcome).differingSubject()).isNull();
        // The model input is the one the PNG of the same slice gives.
        byte[] png = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG);
        IngestOutcome fromPng = single(arrival("png-twin", "image/png", png, null));
        assertThat(scan.image()).isEqualTo(((IngestOutcome.Accepted) fromPng).scan().image());
    }

    @Test
    void rejectsACeIdThatIsNotTheSopInstanceUid() {
        byte[] file = slice(SyntheticDicom.Compression.NONE);
        IngestOutcome uuid = single(arrival("scan-0001", DICOM, file, null));
        assertRejected(uuid, RejectionReason.MISSING_ATTRIBUTE, "SOP Instance UID");
        assertThat(uuid.scanId()).isEqualTo("scan-0001"); // not a UID: reported as sent
        // Another instance's UID: reported pseudonymised, as every UID-shaped ce_id of a DICOM record.
        IngestOutcome otherUid = single(arrival(ids.seriesUid(), DICOM, file, null));
        assertRejected(otherUid, RejectionReason.MISSING_ATTRIBUTE, "SOP Instance UID");
        assertThat(otherUid.scanId()).isEqualTo(pseudonyms.uid(ids.seriesUid()));
    }

    @Test
    void theSameInstanceSentTwiceIsADuplicate() {
        byte[] file = slice(SyntheticDicom.Compression.NONE);
        pipeline.committed(pipeline.process(List.of(arrival(ids.sopInstanceUid(), DICOM, file, null))));
        IngestOutcome again = single(arrival(ids.sopInstanceUid(), DICOM, file, null));
        assertRejected(again, RejectionReason.DUPLICATE, "identical content");
        assertThat(again.scanId()).isEqualTo(pseudonyms.uid(ids.sopInstanceUid()));
    }

    @Test
    void aStowCopyIsTakenWithItsPseudonymsAndIsADuplicateOfItsRawFile() {
        byte[] raw = slice(SyntheticDicom.Compression.RLE);
        DicomDeidentifier.Deidentified copy = deidentified(raw);
        IncomingScan sealed = arrival(copy.scanId(), DICOM, copy.bytes(), copy.patientPseudonym());
        sealed.headers().add(new RecordHeader("ce_deidentified",
                pseudonyms.seal(copy.scanId(), copy.bytes()).getBytes(StandardCharsets.UTF_8)));

        List<IngestOutcome> first = pipeline.process(List.of(sealed));
        assertThat(first.get(0)).isInstanceOf(IngestOutcome.Accepted.class);
        ScanPreprocessed scan = ((IngestOutcome.Accepted) first.get(0)).scan();
        assertThat(scan.scanId()).isEqualTo(pseudonyms.uid(ids.sopInstanceUid())); // not pseudonymised twice
        assertThat(scan.patientPseudonym()).isEqualTo(pseudonyms.patient("MRN-4711"));
        pipeline.committed(first);
        // The raw file of the same instance, from a Kafka device: same scan id, same pixels.
        assertRejected(single(arrival(ids.sopInstanceUid(), DICOM, raw, null)), RejectionReason.DUPLICATE,
                "identical content");
    }

    @Test
    void aSealThatDoesNotVerifyIsIgnored() {
        DicomDeidentifier.Deidentified copy = deidentified(slice(SyntheticDicom.Compression.NONE));
        IncomingScan forged = arrival(copy.scanId(), DICOM, copy.bytes(), null);
        forged.headers().add(new RecordHeader("ce_deidentified", "0".repeat(32).getBytes(StandardCharsets.UTF_8)));
        IngestOutcome outcome = single(forged);
        // Taken as a raw file: its (already pseudonymous) identifiers are pseudonymised once more.
        assertThat(outcome.scanId()).isEqualTo(pseudonyms.uid(copy.scanId())).isNotEqualTo(copy.scanId());
    }

    @Test
    void aCeSubjectThatDisagreesWithPatientIdIsReportedPseudonymisedAndPatientIdWins() {
        IngestOutcome outcome = single(arrival(ids.sopInstanceUid(), DICOM, slice(SyntheticDicom.Compression.NONE),
                "MRN-SOMEONE-ELSE"));
        IngestOutcome.Accepted accepted = (IngestOutcome.Accepted) outcome;
        assertThat(accepted.scan().patientPseudonym()).isEqualTo(pseudonyms.patient("MRN-4711"));
        assertThat(accepted.differingSubject()).isEqualTo(pseudonyms.patient("MRN-SOMEONE-ELSE"));
    }

    @Test
    void takesCeSubjectWhenTheFileHasNoPatientId() {
        byte[] file = writer().remove(DicomTag.PATIENT_ID).toBytes();
        IngestOutcome outcome = single(arrival(ids.sopInstanceUid(), DICOM, file, "MRN-1"));
        assertThat(((IngestOutcome.Accepted) outcome).scan().patientPseudonym()).isEqualTo(pseudonyms.patient("MRN-1"));
    }

    @Test
    void rejectsEachBadDicomOnceUnderAPseudonymisedIdAndKeepsGoing() {
        byte[] good = slice(SyntheticDicom.Compression.JPEG_LOSSLESS);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        Map<String, RejectionReason> reasons = new LinkedHashMap<>();
        byte[] random = new byte[4096];
        new java.util.Random(1).nextBytes(random);
        bad.put("not-dicom", random);
        reasons.put("not-dicom", RejectionReason.UNSUPPORTED_FORMAT);
        bad.put("truncated", Arrays.copyOf(good, good.length / 2));
        reasons.put("truncated", RejectionReason.CORRUPT_IMAGE);
        bad.put("jpeg-ls", replaceAscii(good, "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80"));
        reasons.put("jpeg-ls", RejectionReason.UNSUPPORTED_FORMAT);
        bad.put("no-pixels", writer().remove(DicomTag.PIXEL_DATA).toBytes());
        reasons.put("no-pixels", RejectionReason.UNSUPPORTED_FORMAT);
        bad.put("zero-rows", writer().uint16(DicomTag.ROWS, 0).toBytes());
        reasons.put("zero-rows", RejectionReason.CORRUPT_IMAGE);
        bad.put("huge-rows", writer().uint16(DicomTag.ROWS, 60000).uint16(DicomTag.COLUMNS, 60000).toBytes());
        reasons.put("huge-rows", RejectionReason.TOO_LARGE);
        bad.put("bits-12-allocated", writer().uint16(DicomTag.BITS_ALLOCATED, 12).toBytes());
        reasons.put("bits-12-allocated", RejectionReason.CORRUPT_IMAGE);
        bad.put("length-mismatch", writer().uint16(DicomTag.ROWS, 193).toBytes());
        reasons.put("length-mismatch", RejectionReason.CORRUPT_IMAGE);
        bad.put("rgb", writer().string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "RGB").toBytes());
        reasons.put("rgb", RejectionReason.UNSUPPORTED_FORMAT);

        List<IncomingScan> batch = new java.util.ArrayList<>();
        int n = 0;
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            batch.add(arrival("1.2.3.4." + n++, DICOM, e.getValue(), "MRN-4711")); // a device's raw instance UID
        }
        batch.add(arrival(ids.sopInstanceUid(), DICOM, good, "MRN-4711"));
        List<IngestOutcome> outcomes = pipeline.process(batch);

        assertThat(outcomes).hasSize(bad.size() + 1);
        int i = 0;
        for (String name : bad.keySet()) {
            IngestOutcome outcome = outcomes.get(i);
            assertThat(outcome).as(name).isInstanceOf(IngestOutcome.Rejected.class);
            var rejection = ((IngestOutcome.Rejected) outcome).rejection();
            assertThat(rejection.reason()).as(name + ": " + rejection.detail()).isEqualTo(reasons.get(name));
            assertThat(rejection.scanId()).isEqualTo(pseudonyms.uid("1.2.3.4." + i));
            assertThat(rejection.detail()).doesNotContain("MRN-4711", ids.sopInstanceUid());
            i++;
        }
        assertThat(outcomes.get(bad.size())).isInstanceOf(IngestOutcome.Accepted.class);
    }

    @Test
    void rejectsAPngDeclaredAsDicomAndADicomDeclaredAsPng() {
        byte[] png = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG);
        assertRejected(single(arrival("png-as-dicom", DICOM, png, null)), RejectionReason.UNSUPPORTED_FORMAT,
                "declared content-type application/dicom but the bytes are PNG");
        IngestOutcome dicomAsPng = single(arrival(ids.sopInstanceUid(), "image/png", slice(SyntheticDicom.Compression.NONE), null));
        assertRejected(dicomAsPng, RejectionReason.UNSUPPORTED_FORMAT, "the bytes are DICOM");
        assertThat(dicomAsPng.scanId()).isEqualTo(pseudonyms.uid(ids.sopInstanceUid()));
        // Lenient content-type: the bytes win either way.
        IngestPipeline lenient = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, false, 10), KEY);
        assertThat(lenient.process(List.of(arrival("png-as-dicom", DICOM, png, null))).get(0))
                .isInstanceOf(IngestOutcome.Accepted.class);
        assertThat(lenient.process(List.of(arrival(ids.sopInstanceUid(), "image/png",
                slice(SyntheticDicom.Compression.NONE), null))).get(0)).isInstanceOf(IngestOutcome.Accepted.class);
    }

    @Test
    void turnsAFailureOfTheDicomDecoderIntoAnInternalRejectionUnderThePseudonymisedId() {
        IngestPipeline failing = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 10), KEY,
                IngestPipeline.Observer.NONE, new ScanPreprocessor(DecodeLimits.DEFAULT)::preprocess, instance -> {
                    throw new IllegalStateException("decoder crashed");
                });
        IngestOutcome outcome = failing.process(List.of(arrival(ids.sopInstanceUid(), DICOM,
                slice(SyntheticDicom.Compression.NONE), null))).get(0);
        assertRejected(outcome, RejectionReason.INTERNAL, "decoder crashed");
        assertThat(outcome.scanId()).isEqualTo(pseudonyms.uid(ids.sopInstanceUid()));
    }

    // --- helpers ---

    private byte[] slice(SyntheticDicom.Compression compression) {
        return SyntheticDicom.ctSlice(phantom, ids, compression);
    }

    private io.scanstream.core.dicom.DicomWriter writer() {
        return SyntheticDicom.ctSliceWriter(phantom, ids, SyntheticDicom.Compression.NONE, HounsfieldWindow.LUNG);
    }

    private DicomDeidentifier.Deidentified deidentified(byte[] raw) {
        return ((DicomResult.Ok<DicomDeidentifier.Deidentified>) new DicomDeidentifier(pseudonyms)
                .deidentify(read(raw))).value();
    }

    private static DicomInstance read(byte[] file) {
        return ((DicomResult.Ok<DicomInstance>) DicomReader.read(file, DecodeLimits.DEFAULT)).value();
    }

    private static byte[] replaceAscii(byte[] bytes, String from, String to) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(from);
        assertThat(at).isPositive();
        byte[] copy = bytes.clone();
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, copy, at, to.length());
        return copy;
    }

    private IngestOutcome single(IncomingScan scan) {
        List<IngestOutcome> outcomes = pipeline.process(List.of(scan));
        assertThat(outcomes).hasSize(1);
        return outcomes.get(0);
    }

    private static void assertRejected(IngestOutcome outcome, RejectionReason reason, String detail) {
        assertThat(outcome).isInstanceOf(IngestOutcome.Rejected.class);
        var rejection = ((IngestOutcome.Rejected) outcome).rejection();
        assertThat(rejection.reason()).as(rejection.detail()).isEqualTo(reason);
        assertThat(rejection.detail()).contains(detail);
    }
}
