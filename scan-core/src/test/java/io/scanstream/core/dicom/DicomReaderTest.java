package io.scanstream.core.dicom;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.imaging.DecodeLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DicomReaderTest {

    private static final DecodeLimits LIMITS = DecodeLimits.DEFAULT;

    @ParameterizedTest
    @EnumSource(TransferSyntax.class)
    void readsTheAttributesAndFindsThePixelsInEverySupportedTransferSyntax(TransferSyntax ts) {
        TestDicom slice = TestDicom.slice().transferSyntax(ts);
        if (ts == TransferSyntax.JPEG_BASELINE) {
            slice.bits(8, 8, false);
        }
        DicomInstance instance = read(slice.bytes());

        assertThat(instance.transferSyntax()).isEqualTo(ts);
        assertThat(instance.sopInstanceUid()).isEqualTo(TestDicom.SOP_INSTANCE);
        assertThat(instance.studyInstanceUid()).isEqualTo(TestDicom.STUDY);
        assertThat(instance.seriesInstanceUid()).isEqualTo(TestDicom.SERIES);
        assertThat(instance.patientId()).isEqualTo(TestDicom.PATIENT_ID);
        assertThat(instance.sopClassUid()).isEqualTo(SyntheticDicom.CT_IMAGE_STORAGE);
        assertThat(instance.modality()).isEqualTo("CT");
        assertThat(instance.pixels().columns()).isEqualTo(24);
        assertThat(instance.pixels().rows()).isEqualTo(16);
        assertThat(instance.pixels().rescaleIntercept()).isEqualTo(-1024.0);
        assertThat(instance.pixelData()).isInstanceOf(ts.encapsulated() ? PixelData.Encapsulated.class : PixelData.Native.class);
        // Identifiers never show in logs.
        assertThat(instance.toString()).doesNotContain(TestDicom.PATIENT_ID, TestDicom.SOP_INSTANCE);
    }

    @Test
    void readsImplicitVrLittleEndian() {
        DicomInstance instance = read(TestDicom.slice().transferSyntax(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)
                .bits(16, 16, true).bytes());
        assertThat(instance.pixels().signed()).isTrue();
        assertThat(instance.pixels().bitsStored()).isEqualTo(16);
        assertThat(instance.pixelData().byteCount()).isEqualTo(24 * 16 * 2);
    }

    @Test
    void skipsSequencesOfDefinedAndUndefinedLengthNestedAndInImplicitVr() {
        for (TransferSyntax ts : List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)) {
            boolean explicit = ts.explicitVr();
            // (0008,1140) Referenced Image Sequence, undefined length, holding an item of undefined length that holds
            // another undefined-length sequence; then (0008,1150)-like defined-length sequence.
            java.io.ByteArrayOutputStream seq = new java.io.ByteArrayOutputStream();
            item(seq, true, element(0x00081150, "UI", "1.2.3", explicit), sequence(0x00089215, explicit,
                    concat(itemBytes(false, element(0x00080100, "SH", "CODE", explicit)))));
            seq.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
            byte[] file = TestDicom.slice().transferSyntax(ts).writer()
                    .bytes(0x00081140, "SQ", new byte[0]).toBytes();
            // Replace the empty placeholder sequence by the undefined-length one.
            int at = TestDicom.offsetOf(file, 0x00081140);
            int headerLength = explicit ? 12 : 8;
            byte[] header = Arrays.copyOf(Arrays.copyOfRange(file, at, at + headerLength), headerLength);
            for (int i = headerLength - 4; i < headerLength; i++) {
                header[i] = (byte) 0xFF;
            }
            byte[] patched = concat(Arrays.copyOfRange(file, 0, at), header, seq.toByteArray(),
                    Arrays.copyOfRange(file, at + headerLength, file.length));
            DicomInstance instance = read(patched);
            assertThat(instance.sopInstanceUid()).as(ts.name()).isEqualTo(TestDicom.SOP_INSTANCE);
            assertThat(instance.pixels().rows()).isEqualTo(16);
        }
    }

    @Test
    void refusesWhatIsNotDicom() {
        assertRefused(new byte[0], RejectionReason.CORRUPT_IMAGE, "empty");
        assertRefused("just some text, longer than a preamble".repeat(5).getBytes(StandardCharsets.US_ASCII),
                RejectionReason.UNSUPPORTED_FORMAT, "not a DICOM Part 10 file");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
        assertRefused(png, RejectionReason.UNSUPPORTED_FORMAT, "not a DICOM Part 10 file");
    }

    @Test
    void refusesTruncatedFilesAtEveryLength() {
        byte[] file = TestDicom.slice().bytes();
        // Every cut from the file meta to one byte short of the end is refused, never an exception or a read.
        for (int cut = 132; cut < file.length; cut += 7) {
            Rejection rejection = refusal(Arrays.copyOf(file, cut));
            assertThat(rejection.reason()).as("cut at " + cut).isIn(RejectionReason.CORRUPT_IMAGE,
                    RejectionReason.UNSUPPORTED_FORMAT);
        }
        assertRefused(Arrays.copyOf(file, file.length - 1), RejectionReason.CORRUPT_IMAGE, "remain");
    }

    @Test
    void refusesTruncatedEncapsulatedPixelData() {
        for (TransferSyntax ts : List.of(TransferSyntax.JPEG_LOSSLESS_SV1, TransferSyntax.RLE_LOSSLESS)) {
            byte[] file = TestDicom.slice().transferSyntax(ts).bytes();
            assertRefused(Arrays.copyOf(file, file.length - 8), RejectionReason.CORRUPT_IMAGE, "truncated");
            assertRefused(Arrays.copyOf(file, file.length - 40), RejectionReason.CORRUPT_IMAGE, "");
        }
    }

    @Test
    void refusesUnsupportedTransferSyntaxesWithTheirName() {
        byte[] file = TestDicom.slice().bytes();
        int ts = TestDicom.offsetOf(file, DicomTag.TRANSFER_SYNTAX_UID) + 8;
        // Same length as "1.2.840.10008.1.2.1" (19 + NUL): rewrite in place.
        assertRefused(TestDicom.withAscii(file, ts, "1.2.840.10008.1.2.2\0"), RejectionReason.UNSUPPORTED_FORMAT,
                "big endian");
        byte[] jpeg2000 = TestDicom.withAscii(TestDicom.slice().transferSyntax(TransferSyntax.JPEG_LOSSLESS).bytes(),
                ts, "1.2.840.10008.1.2.4.90");
        assertRefused(jpeg2000, RejectionReason.UNSUPPORTED_FORMAT, "JPEG 2000");
        byte[] jpegLs = TestDicom.withAscii(TestDicom.slice().transferSyntax(TransferSyntax.JPEG_LOSSLESS).bytes(),
                ts, "1.2.840.10008.1.2.4.80");
        assertRefused(jpegLs, RejectionReason.UNSUPPORTED_FORMAT, "JPEG-LS");
        assertRefused(TestDicom.withAscii(file, ts, "9.9.9.9.9.9.9.9.9.9\0"), RejectionReason.UNSUPPORTED_FORMAT,
                "unknown transfer syntax 9.9.9");
    }

    @Test
    void refusesAFileMetaWithoutTransferSyntax() {
        byte[] file = TestDicom.slice().bytes();
        int ts = TestDicom.offsetOf(file, DicomTag.TRANSFER_SYNTAX_UID);
        // Turn (0002,0010) into (0002,0011), an unknown meta element: the transfer syntax is gone.
        assertRefused(TestDicom.withBytes(file, ts + 2, 0x11), RejectionReason.CORRUPT_IMAGE, "Transfer Syntax UID");
    }

    @Test
    void refusesAnInstanceWithoutPixelData() {
        byte[] file = TestDicom.slice().writer().remove(DicomTag.PIXEL_DATA).toBytes();
        assertRefused(file, RejectionReason.UNSUPPORTED_FORMAT, "no Pixel Data");
    }

    @Test
    void refusesAbsurdRowsColumnsAndBits() {
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.ROWS, 0).toBytes(), RejectionReason.CORRUPT_IMAGE,
                "0 pixels");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.COLUMNS, 65535).uint16(DicomTag.ROWS, 65535).toBytes(),
                RejectionReason.TOO_LARGE, "65535x65535");
        DecodeLimits small = new DecodeLimits(1 << 20, 16, 16, 256);
        assertThat(DicomReader.read(TestDicom.slice().bytes(), small)).isInstanceOfSatisfying(DicomResult.Refused.class,
                r -> assertThat(r.rejection().reason()).isEqualTo(RejectionReason.TOO_LARGE));
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.BITS_ALLOCATED, 12).toBytes(),
                RejectionReason.CORRUPT_IMAGE, "Bits Allocated is 12");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.BITS_ALLOCATED, 32).toBytes(),
                RejectionReason.UNSUPPORTED_FORMAT, "32 bits allocated");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.BITS_STORED, 17).toBytes(),
                RejectionReason.CORRUPT_IMAGE, "Bits Stored is 17");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.BITS_STORED, 0).toBytes(),
                RejectionReason.CORRUPT_IMAGE, "Bits Stored is 0");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.HIGH_BIT, 15).toBytes(),
                RejectionReason.UNSUPPORTED_FORMAT, "High Bit 15");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.PIXEL_REPRESENTATION, 7).toBytes(),
                RejectionReason.CORRUPT_IMAGE, "Pixel Representation");
        assertRefused(TestDicom.slice().writer().remove(DicomTag.ROWS).toBytes(), RejectionReason.CORRUPT_IMAGE,
                "Rows (0028,0010) is missing");
        assertRefused(TestDicom.slice().writer().bytes(DicomTag.ROWS, "US", new byte[] {1, 0, 0, 0}).toBytes(),
                RejectionReason.CORRUPT_IMAGE, "4 bytes; 2 expected");
    }

    @Test
    void refusesPixelDataWhoseLengthDisagreesWithTheHeader() {
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.ROWS, 17).toBytes(), RejectionReason.CORRUPT_IMAGE,
                "inconsistent lengths");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.ROWS, 8).toBytes(), RejectionReason.CORRUPT_IMAGE,
                "inconsistent lengths");
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.BITS_ALLOCATED, 8).uint16(DicomTag.BITS_STORED, 8)
                .uint16(DicomTag.HIGH_BIT, 7).toBytes(), RejectionReason.CORRUPT_IMAGE, "inconsistent lengths");
        // An element that declares more bytes than the file has.
        byte[] file = TestDicom.slice().bytes();
        int name = TestDicom.offsetOf(file, DicomTag.PATIENT_NAME);
        assertRefused(TestDicom.withBytes(file, name + 6, 0xFF, 0x7F), RejectionReason.CORRUPT_IMAGE, "only");
        // Encapsulated pixels in an uncompressed transfer syntax, and the reverse.
        byte[] jpeg = TestDicom.slice().transferSyntax(TransferSyntax.JPEG_LOSSLESS_SV1).bytes();
        int ts = TestDicom.offsetOf(jpeg, DicomTag.TRANSFER_SYNTAX_UID) + 8;
        assertRefused(TestDicom.withAscii(jpeg, ts, "1.2.840.10008.1.2.1\0\0\0"), RejectionReason.CORRUPT_IMAGE,
                "encapsulated");
        assertRefused(TestDicom.withAscii(file, ts, "1.2.840.10008.1.2.5\0"), RejectionReason.CORRUPT_IMAGE,
                "defined length");
    }

    @Test
    void refusesPhotometricInterpretationsOtherThanMonochrome() {
        for (String photometric : List.of("RGB", "YBR_FULL", "PALETTE COLOR")) {
            assertRefused(TestDicom.slice().photometric(photometric).bytes(), RejectionReason.UNSUPPORTED_FORMAT,
                    "photometric interpretation '" + photometric + "'");
        }
        assertRefused(TestDicom.slice().writer().uint16(DicomTag.SAMPLES_PER_PIXEL, 3).toBytes(),
                RejectionReason.UNSUPPORTED_FORMAT, "3 samples per pixel");
    }

    @Test
    void refusesMultiFrameAndEnhancedInstances() {
        assertRefused(TestDicom.slice().writer().string(DicomTag.NUMBER_OF_FRAMES, "IS", "2").toBytes(),
                RejectionReason.UNSUPPORTED_FORMAT, "multi-frame");
        assertRefused(TestDicom.slice().writer().string(DicomTag.SOP_CLASS_UID, "UI", "1.2.840.10008.5.1.4.1.1.2.1")
                .toBytes(), RejectionReason.UNSUPPORTED_FORMAT, "enhanced multi-frame");
        assertRefused(TestDicom.slice().writer().bytes(DicomTag.SHARED_FUNCTIONAL_GROUPS, "SQ", new byte[0]).toBytes(),
                RejectionReason.UNSUPPORTED_FORMAT, "functional groups");
        // One frame declared explicitly is fine.
        assertThat(read(TestDicom.slice().writer().string(DicomTag.NUMBER_OF_FRAMES, "IS", "1").toBytes())
                .pixels().rows()).isEqualTo(16);
    }

    @Test
    void refusesADeflatedDatasetThatInflatesBeyondTheLimit() {
        // 2000x2000 16-bit zeros deflate to a few KB and inflate to 8 MB: more than a 1 MB limit allows.
        byte[] bomb = TestDicom.slice().size(2000, 2000).bits(16, 16, false).samples(new short[2000 * 2000])
                .transferSyntax(TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN).bytes();
        assertThat(bomb.length).isLessThan(64 * 1024);
        DecodeLimits limits = new DecodeLimits(1 << 20, 8192, 8192, 40_000_000L);
        assertThat(DicomReader.read(bomb, limits)).isInstanceOfSatisfying(DicomResult.Refused.class,
                r -> assertThat(r.rejection().detail()).contains("inflates beyond"));
        assertRefused(Arrays.copyOf(bomb, bomb.length - 100), RejectionReason.CORRUPT_IMAGE, "deflated");
    }

    @Test
    void refusesSequencesNestedTooDeep() {
        boolean explicit = true;
        byte[] inner = element(0x00080100, "SH", "X", explicit);
        for (int depth = 0; depth < DicomReader.MAX_NESTING + 2; depth++) {
            inner = sequence(0x00081140, explicit, itemBytes(true, inner));
        }
        byte[] file = TestDicom.slice().writer().bytes(0x00081140, "SQ", new byte[0]).toBytes();
        int at = TestDicom.offsetOf(file, 0x00081140);
        byte[] patched = concat(Arrays.copyOfRange(file, 0, at), inner, Arrays.copyOfRange(file, at + 12, file.length));
        assertRefused(patched, RejectionReason.CORRUPT_IMAGE, "nested deeper");
    }

    // --- helpers ---

    static DicomInstance read(byte[] bytes) {
        DicomResult<DicomInstance> result = DicomReader.read(bytes, LIMITS);
        assertThat(result).as(() -> result.toString()).isInstanceOf(DicomResult.Ok.class);
        return ((DicomResult.Ok<DicomInstance>) result).value();
    }

    static Rejection refusal(byte[] bytes) {
        DicomResult<DicomInstance> result = DicomReader.read(bytes, LIMITS);
        if (result instanceof DicomResult.Ok<DicomInstance> ok) {
            // Some damage only shows when the pixels are decoded.
            DicomResult<DicomImage> pixels = DicomPixelDecoder.decode(ok.value());
            assertThat(pixels).as("decoding a damaged file").isInstanceOf(DicomResult.Refused.class);
            return ((DicomResult.Refused<DicomImage>) pixels).rejection();
        }
        return ((DicomResult.Refused<DicomInstance>) result).rejection();
    }

    static void assertRefused(byte[] bytes, RejectionReason reason, String detail) {
        Rejection rejection = refusal(bytes);
        assertThat(rejection.reason()).as(rejection.detail()).isEqualTo(reason);
        assertThat(rejection.detail()).contains(detail);
    }

    private static byte[] element(int tag, String vr, String value, boolean explicit) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length % 2 == 1) {
            v = Arrays.copyOf(v, v.length + 1);
        }
        DicomWriter.writeHeader(out, tag, vr, v.length, explicit);
        out.writeBytes(v);
        return out.toByteArray();
    }

    private static byte[] sequence(int tag, boolean explicit, byte[] items) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        DicomWriter.writeHeader(out, tag, "SQ", -1, explicit);
        out.writeBytes(items);
        out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
        return out.toByteArray();
    }

    private static byte[] itemBytes(boolean undefined, byte[]... elements) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        item(out, undefined, elements);
        return out.toByteArray();
    }

    private static void item(java.io.ByteArrayOutputStream out, boolean undefined, byte[]... elements) {
        byte[] body = concat(elements);
        out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
        DicomWriter.writeU32(out, undefined ? 0xFFFFFFFFL : body.length);
        out.writeBytes(body);
        if (undefined) {
            out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0});
        }
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
