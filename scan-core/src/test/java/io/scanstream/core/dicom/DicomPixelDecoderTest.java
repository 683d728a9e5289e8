package io.scanstream.core.dicom;

import io.scanstream.core.contract.RejectionReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.scanstream.core.dicom.DicomReaderTest.assertRefused;
import static io.scanstream.core.dicom.DicomReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;

class DicomPixelDecoderTest {

    static Stream<Arguments> losslessCases() {
        List<Arguments> cases = new ArrayList<>();
        for (TransferSyntax ts : List.of(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.RLE_LOSSLESS,
                TransferSyntax.JPEG_LOSSLESS_SV1, TransferSyntax.JPEG_LOSSLESS)) {
            cases.add(Arguments.of(ts, 8, 8, false));
            cases.add(Arguments.of(ts, 16, 12, false));
            cases.add(Arguments.of(ts, 16, 12, true));
            cases.add(Arguments.of(ts, 16, 16, false));
            cases.add(Arguments.of(ts, 16, 16, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}/{2} bits signed={3}")
    @MethodSource("losslessCases")
    void decodesEveryLosslessEncodingToTheSamplesWritten(TransferSyntax ts, int allocated, int stored, boolean signed) {
        TestDicom slice = TestDicom.slice().size(37, 23).bits(allocated, stored, signed).transferSyntax(ts);
        DicomImage image = decode(slice.bytes());
        assertThat(image.samples()).isEqualTo(slice.samples());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void decodesJpegLosslessWithEveryPredictor(int predictor) {
        TestDicom slice = TestDicom.slice().size(64, 40).bits(16, 16, true).predictor(predictor)
                .transferSyntax(TransferSyntax.JPEG_LOSSLESS);
        assertThat(decode(slice.bytes()).samples()).isEqualTo(slice.samples());
    }

    @Test
    void decodesJpegLosslessWithRestartIntervalsOfWholeLines() {
        for (int lines : new int[] {1, 3, 7}) {
            TestDicom slice = TestDicom.slice().size(40, 30).bits(16, 12, true).predictor(6).restartLines(lines)
                    .transferSyntax(TransferSyntax.JPEG_LOSSLESS);
            assertThat(decode(slice.bytes()).samples()).as(lines + " lines").isEqualTo(slice.samples());
        }
        // A restart interval that ends inside a line is refused, not guessed at.
        byte[] file = TestDicom.slice().size(40, 30).restartLines(2).transferSyntax(TransferSyntax.JPEG_LOSSLESS).bytes();
        int dri = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("\u00FF\u00DD");
        assertRefused(TestDicom.withBytes(file, dri + 4, 0, 50), RejectionReason.UNSUPPORTED_FORMAT,
                "not a whole number of lines");
    }

    @Test
    void decodesTheLargestJpegLosslessDifferences() {
        // Alternating 0 and 65535: differences of +-32767/32768, categories 15 and 16.
        short[] samples = new short[16 * 16];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) ((i + i / 16) % 2 == 0 ? 0 : 0xFFFF);
        }
        samples[5] = (short) 0x8000;
        TestDicom slice = TestDicom.slice().size(16, 16).bits(16, 16, false).samples(samples)
                .transferSyntax(TransferSyntax.JPEG_LOSSLESS_SV1);
        assertThat(decode(slice.bytes()).samples()).isEqualTo(samples);
    }

    @Test
    void decodesJpegBaselineThroughTheJdkReader() {
        short[] samples = new short[32 * 24];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) (((i % 32) * 8) & 0xFF); // smooth: survives quality 1.0 within a level or two
        }
        TestDicom slice = TestDicom.slice().size(32, 24).bits(8, 8, false).samples(samples)
                .transferSyntax(TransferSyntax.JPEG_BASELINE);
        short[] decoded = decode(slice.bytes()).samples();
        for (int i = 0; i < samples.length; i++) {
            assertThat(Math.abs(decoded[i] - samples[i])).as("pixel " + i).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void masksBitsAboveTheHighBit() {
        short[] samples = new short[24 * 16];
        Arrays.fill(samples, (short) 0xF123); // overlay bits above bit 11
        DicomImage image = decode(TestDicom.slice().samples(samples).bytes());
        assertThat(image.samples()[0]).isEqualTo((short) 0x0123);
    }

    @Test
    void refusesDamagedJpegLosslessData() {
        byte[] file = TestDicom.slice().size(64, 64).bits(16, 16, true).transferSyntax(TransferSyntax.JPEG_LOSSLESS_SV1).bytes();
        DicomInstance instance = read(file);
        PixelData.Encapsulated data = (PixelData.Encapsulated) instance.pixelData();
        PixelData.Fragment fragment = data.fragments().get(0);
        // Cut the entropy-coded data in half, keeping the lengths of the DICOM encapsulation consistent.
        byte[] half = DicomReaderTest.concat(Arrays.copyOf(file, fragment.offset() + fragment.length() / 2),
                new byte[] {(byte) 0xFF, (byte) 0xD9}, new byte[fragment.length() - fragment.length() / 2 - 2],
                Arrays.copyOfRange(file, fragment.offset() + fragment.length(), file.length));
        assertRefused(half, RejectionReason.CORRUPT_IMAGE, "truncated");
        // A frame header that disagrees with Rows/Columns.
        byte[] wrongSize = TestDicom.slice().size(64, 64).transferSyntax(TransferSyntax.JPEG_LOSSLESS_SV1).writer()
                .uint16(DicomTag.ROWS, 63).toBytes();
        assertRefused(wrongSize, RejectionReason.CORRUPT_IMAGE, "inconsistent lengths");
        // Not a JPEG stream at all.
        int soi = fragment.offset();
        assertRefused(TestDicom.withBytes(file, soi, 0, 0), RejectionReason.CORRUPT_IMAGE, "SOI");
        // A lossy frame (SOF0) inside a lossless transfer syntax.
        assertRefused(TestDicom.withBytes(file, soi + 3, 0xC0), RejectionReason.UNSUPPORTED_FORMAT, "SOF0");
    }

    @Test
    void refusesDamagedRleData() {
        byte[] file = TestDicom.slice().transferSyntax(TransferSyntax.RLE_LOSSLESS).bytes();
        PixelData.Fragment fragment = ((PixelData.Encapsulated) read(file).pixelData()).fragments().get(0);
        // Header claims three segments for 16-bit data.
        assertRefused(TestDicom.withBytes(file, fragment.offset(), 3), RejectionReason.CORRUPT_IMAGE, "3 segments");
        // Second segment offset beyond the fragment.
        assertRefused(TestDicom.withBytes(file, fragment.offset() + 8, 0xFF, 0xFF, 0, 0), RejectionReason.CORRUPT_IMAGE,
                "outside");
        // A run that would overflow the plane: replace the first control byte by a long literal.
        byte[] overrun = TestDicom.slice().transferSyntax(TransferSyntax.RLE_LOSSLESS)
                .samples(new short[24 * 16]).bytes();
        PixelData.Fragment f2 = ((PixelData.Encapsulated) read(overrun).pixelData()).fragments().get(0);
        assertRefused(TestDicom.withBytes(overrun, f2.offset() + 64, 127), RejectionReason.CORRUPT_IMAGE, "past its end");
    }

    @Test
    void refusesJpegBaselineThatIsNotMonochromeOrIsDamaged() {
        TestDicom slice = TestDicom.slice().size(32, 24).bits(8, 8, false).transferSyntax(TransferSyntax.JPEG_BASELINE);
        byte[] file = slice.bytes();
        PixelData.Fragment fragment = ((PixelData.Encapsulated) read(file).pixelData()).fragments().get(0);
        byte[] cut = DicomReaderTest.concat(Arrays.copyOf(file, fragment.offset() + fragment.length() / 2),
                new byte[fragment.length() - fragment.length() / 2],
                Arrays.copyOfRange(file, fragment.offset() + fragment.length(), file.length));
        assertRefused(cut, RejectionReason.CORRUPT_IMAGE, "JPEG baseline");
        assertRefused(TestDicom.slice().size(32, 24).bits(16, 12, false).transferSyntax(TransferSyntax.JPEG_BASELINE)
                .writer().uint16(DicomTag.BITS_ALLOCATED, 16).toBytes(), RejectionReason.CORRUPT_IMAGE, "8-bit");
    }

    static DicomImage decode(byte[] file) {
        DicomResult<DicomImage> result = DicomPixelDecoder.decode(read(file));
        assertThat(result).as(() -> result.toString()).isInstanceOf(DicomResult.Ok.class);
        return ((DicomResult.Ok<DicomImage>) result).value();
    }
}
