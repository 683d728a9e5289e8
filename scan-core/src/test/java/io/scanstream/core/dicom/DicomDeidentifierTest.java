package io.scanstream.core.dicom;

import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.privacy.PatientPseudonymizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;

import static io.scanstream.core.dicom.DicomReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;

class DicomDeidentifierTest {

    private static final String KEY = "test-only-pseudonymisation-key";
    private final DicomPseudonyms pseudonyms = new DicomPseudonyms(KEY);
    private final DicomDeidentifier deidentifier = new DicomDeidentifier(pseudonyms);

    @ParameterizedTest
    @EnumSource(value = TransferSyntax.class, names = {"IMPLICIT_VR_LITTLE_ENDIAN", "DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN",
            "JPEG_LOSSLESS_SV1", "RLE_LOSSLESS"})
    void keepsOnlyTheAllowListWithIdentifiersPseudonymisedAndThePixelsByteForByte(TransferSyntax ts) {
        TestDicom slice = TestDicom.slice().transferSyntax(ts).window(-600, 1500);
        byte[] original = slice.bytes();
        DicomInstance source = read(original);
        DicomDeidentifier.Deidentified copy = deidentified(source);

        String text = new String(copy.bytes(), StandardCharsets.ISO_8859_1);
        assertThat(text).doesNotContain(TestDicom.PATIENT_NAME, TestDicom.PATIENT_ID, "19610203", "ACC-77",
                "Test Hospital", TestDicom.SOP_INSTANCE, TestDicom.STUDY, TestDicom.SERIES);

        DicomInstance back = read(copy.bytes());
        assertThat(back.sopInstanceUid()).isEqualTo(copy.scanId()).isEqualTo(pseudonyms.uid(TestDicom.SOP_INSTANCE));
        assertThat(back.studyInstanceUid()).isEqualTo(pseudonyms.uid(TestDicom.STUDY));
        assertThat(back.seriesInstanceUid()).isEqualTo(pseudonyms.uid(TestDicom.SERIES));
        assertThat(back.patientId()).isEqualTo(copy.patientPseudonym())
                .isEqualTo(new PatientPseudonymizer(KEY).pseudonymise(TestDicom.PATIENT_ID));
        assertThat(back.patientIdentityRemoved()).isTrue();
        assertThat(back.pixels()).isEqualTo(source.pixels());
        assertThat(back.transferSyntax()).isEqualTo(ts.encapsulated() ? ts : TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        assertThat(back.pixelData().sha256()).isEqualTo(source.pixelData().sha256());
        assertThat(DicomPixelDecoderTest.decode(copy.bytes()).samples()).isEqualTo(slice.samples());
    }

    @Test
    void pseudonymsAreValidUidsStableUnderOneKeyAndDifferentUnderAnother() {
        String uid = pseudonyms.uid(TestDicom.SOP_INSTANCE);
        assertThat(uid).startsWith("2.25.").hasSizeLessThanOrEqualTo(64);
        assertThat(DicomPseudonyms.isUid(uid)).isTrue();
        assertThat(pseudonyms.uid(TestDicom.SOP_INSTANCE)).isEqualTo(uid);
        assertThat(new DicomPseudonyms("another-key-of-enough-length").uid(TestDicom.SOP_INSTANCE)).isNotEqualTo(uid);
        assertThat(pseudonyms.uid(TestDicom.STUDY)).isNotEqualTo(uid);
        assertThat(DicomPseudonyms.isUid("scan-42")).isFalse();
        assertThat(DicomPseudonyms.isUid("1.2..3")).isFalse();
    }

    @Test
    void theSealVouchesForTheBytesAndTheIdItWasMadeFor() {
        byte[] bytes = deidentified(read(TestDicom.slice().bytes())).bytes();
        String seal = pseudonyms.seal("2.25.1", bytes);
        assertThat(pseudonyms.verify("2.25.1", bytes, seal)).isTrue();
        assertThat(pseudonyms.verify("2.25.2", bytes, seal)).isFalse();
        byte[] changed = bytes.clone();
        changed[changed.length - 1] ^= 1;
        assertThat(pseudonyms.verify("2.25.1", changed, seal)).isFalse();
        assertThat(new DicomPseudonyms("another-key-of-enough-length").verify("2.25.1", bytes, seal)).isFalse();
        assertThat(pseudonyms.verify("2.25.1", bytes, null)).isFalse();
    }

    @Test
    void refusesAnInstanceWithoutSopInstanceUid() {
        DicomInstance noUid = read(TestDicom.slice().writer().remove(DicomTag.SOP_INSTANCE_UID).toBytes());
        assertThat(deidentifier.deidentify(noUid)).isInstanceOfSatisfying(DicomResult.Refused.class,
                r -> assertThat(r.rejection().reason()).isEqualTo(RejectionReason.MISSING_ATTRIBUTE));
    }

    private DicomDeidentifier.Deidentified deidentified(DicomInstance instance) {
        DicomResult<DicomDeidentifier.Deidentified> result = deidentifier.deidentify(instance);
        assertThat(result).isInstanceOf(DicomResult.Ok.class);
        return ((DicomResult.Ok<DicomDeidentifier.Deidentified>) result).value();
    }
}
