package io.scanstream.local;

import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.DicomReader;
import io.scanstream.core.dicom.DicomResult;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.ScanPreprocessor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DicomDeviceTest {

    private static final String KEY = "local-stack-test-pseudonymisation-key";

    @Test
    void dicomIsAnOptionOfTheLauncher() {
        assertThat(LocalStackOptions.parse(List.of("--dicom"), Path.of(".")).dicom()).isTrue();
        assertThat(LocalStackOptions.parse(List.of(), Path.of(".")).dicom()).isFalse();
        assertThat(LocalStackOptions.HELP).contains("--dicom");
    }

    @Test
    void theDicomDeviceSendsCtSlicesUnderTheirSopInstanceUidAndKnowsTheScanIdScanStreamWillGive() {
        ScanSource source = ScanSource.dicom(ScanSource.synthetic(3, 0.25), KEY);
        ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        DicomPseudonyms pseudonyms = new DicomPseudonyms(KEY);
        Set<String> transferSyntaxes = new HashSet<>();
        int damaged = 0;
        for (int i = 0; i < 24; i++) {
            DeviceScan scan = source.next(i);
            assertThat(scan.contentType()).isEqualTo(ImageFormat.DICOM.mediaType());
            assertThat(scan.scanId()).isEqualTo(pseudonyms.uid(scan.eventId())).isNotEqualTo(scan.eventId());
            DicomResult<DicomInstance> read = DicomReader.read(scan.bytes(), DecodeLimits.DEFAULT);
            if (scan.truth() == null) {
                damaged++;
                assertThat(read).isInstanceOfSatisfying(DicomResult.Refused.class,
                        r -> assertThat(r.rejection().reason()).isEqualTo(RejectionReason.CORRUPT_IMAGE));
                continue;
            }
            DicomInstance instance = ((DicomResult.Ok<DicomInstance>) read).value();
            assertThat(instance.sopInstanceUid()).isEqualTo(scan.eventId());
            assertThat(instance.patientId()).isEqualTo(scan.patientRef());
            transferSyntaxes.add(instance.transferSyntax().name());
            assertThat(preprocessor.preprocess(scan.bytes())).isInstanceOf(ScanPreprocessor.Result.Accepted.class);
        }
        assertThat(transferSyntaxes).containsExactlyInAnyOrder("EXPLICIT_VR_LITTLE_ENDIAN", "JPEG_LOSSLESS_SV1",
                "RLE_LOSSLESS");
        assertThat(damaged).isPositive();
    }
}
