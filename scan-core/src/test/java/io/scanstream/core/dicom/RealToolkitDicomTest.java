package io.scanstream.core.dicom;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Files written by real toolkits, read by ScanStream: CT slices with 12- and 16-bit signed pixels and Rescale
 * Slope/Intercept written by pydicom, compressed by dcmtk (JPEG lossless SV1 and SV6, RLE; JPEG-LS for the refusal),
 * pydicom's own test files; and the other way round, dcmtk and pydicom reading what ScanStream writes. The
 * Hounsfield units ScanStream decodes must equal pydicom's for every pixel. Skipped, saying why, where the
 * toolkits are not installed.
 */
class RealToolkitDicomTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeTheCtFilesWithPydicom() {
        if (Toolkits.python().isPresent()) {
            Toolkits.pydicomTool(dir, "make-ct", dir.toString());
        }
    }

    private static final List<String> PYDICOM_CT = List.of("ct12_signed_explicit.dcm", "ct16_signed_explicit.dcm",
            "ct12_unsigned_slope_explicit.dcm", "ct16_signed_implicit.dcm", "ct12_signed_deflated.dcm");

    @Test
    void hounsfieldUnitsOfPydicomWrittenCtSlicesMatchPydicom() throws IOException {
        assumeTrue(Toolkits.python().isPresent(), Toolkits.PYDICOM_MISSING);
        for (String name : PYDICOM_CT) {
            Path file = dir.resolve(name);
            assertThat(ourHu(file)).as(name).isEqualTo(pydicomHu(file));
        }
        // The values are real CT values: air, lung, soft tissue and padding, not a constant.
        double[] hu = ourHu(dir.resolve("ct12_signed_explicit.dcm"));
        assertThat(java.util.Arrays.stream(hu).min().orElseThrow()).isLessThan(-1500);
        assertThat(java.util.Arrays.stream(hu).max().orElseThrow()).isGreaterThan(1000);
    }

    @Test
    void dcmtkCompressedSlicesDecodeToTheHounsfieldUnitsOfTheirOriginal() throws IOException {
        assumeTrue(Toolkits.python().isPresent(), Toolkits.PYDICOM_MISSING);
        assumeTrue(Toolkits.dcmtk(), Toolkits.DCMTK_MISSING);
        for (String name : PYDICOM_CT) {
            Path original = dir.resolve(name);
            double[] expected = pydicomHu(original);
            Map<String, List<String>> compressions = new LinkedHashMap<>();
            compressions.put("jpeg-lossless-sv1", List.of("dcmcjpeg")); // dcmcjpeg's default: process 14, SV1
            compressions.put("jpeg-lossless-sv6", List.of("dcmcjpeg", "+el", "+sv", "6"));
            compressions.put("rle", List.of("dcmcrle"));
            for (Map.Entry<String, List<String>> c : compressions.entrySet()) {
                Path compressed = dir.resolve(name + "." + c.getKey() + ".dcm");
                List<String> command = new java.util.ArrayList<>(c.getValue());
                command.addAll(List.of(original.toString(), compressed.toString()));
                Toolkits.run(command).requireSuccess(String.join(" ", command));
                DicomInstance instance = read(compressed);
                assertThat(instance.transferSyntax().encapsulated()).isTrue();
                assertThat(ourHu(compressed)).as(name + " " + c.getKey()).isEqualTo(expected);
            }
        }
    }

    @Test
    void jpegLsFromDcmtkIsRefusedByName() throws IOException {
        assumeTrue(Toolkits.python().isPresent(), Toolkits.PYDICOM_MISSING);
        assumeTrue(Toolkits.dcmtk(), Toolkits.DCMTK_MISSING);
        Path jpegLs = dir.resolve("ct.jpls.dcm");
        Toolkits.run(List.of("dcmcjpls", dir.resolve(PYDICOM_CT.get(0)).toString(), jpegLs.toString()))
                .requireSuccess("dcmcjpls");
        DicomResult<DicomInstance> result = DicomReader.read(Files.readAllBytes(jpegLs), DecodeLimits.DEFAULT);
        assertThat(result).isInstanceOfSatisfying(DicomResult.Refused.class, r -> {
            assertThat(r.rejection().reason()).isEqualTo(RejectionReason.UNSUPPORTED_FORMAT);
            assertThat(r.rejection().detail()).contains("JPEG-LS", "1.2.840.10008.1.2.4.80");
        });
    }

    @Test
    void pydicomsOwnTestFilesAreReadOrRefusedWithTheirReason() throws IOException {
        Path files = Toolkits.pydicomTestFiles().orElse(null);
        assumeTrue(files != null, Toolkits.PYDICOM_MISSING + " (or this pydicom ships no test files)");
        // Read: their modality values equal pydicom's.
        for (String name : List.of("CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_RLE.dcm",
                "image_dfl.dcm")) {
            Path file = files.resolve(name);
            if (Files.exists(file)) {
                assertThat(ourHu(file)).as(name).isEqualTo(pydicomHu(file));
            }
        }
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("MR_small_jpeg_ls_lossless.dcm", "UNSUPPORTED_FORMAT JPEG-LS");
        refused.put("JPEG2000.dcm", "UNSUPPORTED_FORMAT JPEG 2000");
        refused.put("JPGExtended.dcm", "UNSUPPORTED_FORMAT JPEG extended");
        refused.put("ExplVR_BigEnd.dcm", "UNSUPPORTED_FORMAT big endian");
        refused.put("SC_rgb_jpeg_dcmtk.dcm", "UNSUPPORTED_FORMAT photometric interpretation 'YBR_FULL'");
        refused.put("SC_rgb_small_odd.dcm", "UNSUPPORTED_FORMAT photometric interpretation 'RGB'");
        refused.put("rtdose.dcm", "UNSUPPORTED_FORMAT multi-frame");
        refused.put("test-SR.dcm", "UNSUPPORTED_FORMAT no Pixel Data");
        refused.put("no_meta.dcm", "UNSUPPORTED_FORMAT not a DICOM Part 10 file");
        refused.put("MR_truncated.dcm", "CORRUPT_IMAGE ");
        refused.put("SC_rgb_jpeg.dcm", "CORRUPT_IMAGE no valid value representation"); // dcmdump fails on it too
        // 128 bytes of pixel data more than 64x64x16 bits: pydicom reads it with a warning, the reader is strict.
        refused.put("MR_small_padded.dcm", "CORRUPT_IMAGE inconsistent lengths");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Path file = files.resolve(e.getKey());
            if (!Files.exists(file)) {
                continue;
            }
            String[] expected = e.getValue().split(" ", 2);
            var rejection = DicomReaderTest.refusal(Files.readAllBytes(file));
            assertThat(rejection.reason().name()).as(e.getKey() + ": " + rejection.detail()).isEqualTo(expected[0]);
            assertThat(rejection.detail()).as(e.getKey()).contains(expected[1]);
        }
    }

    @Test
    void dcmtkAndPydicomReadWhatScanStreamWrites() throws IOException {
        assumeTrue(Toolkits.python().isPresent(), Toolkits.PYDICOM_MISSING);
        assumeTrue(Toolkits.dcmtk(), Toolkits.DCMTK_MISSING);
        var phantom = new SyntheticCtGenerator(5).render(2, ClinicalLabel.COVID, 160, 120);
        DicomDeidentifier deidentifier = new DicomDeidentifier(new DicomPseudonyms("test-only-pseudonymisation-key"));
        for (SyntheticDicom.Compression compression : SyntheticDicom.Compression.values()) {
            byte[] bytes = SyntheticDicom.ctSlice(phantom, SyntheticDicom.Identifiers.of("P-9", "1"), compression);
            byte[] copy = ((DicomResult.Ok<DicomDeidentifier.Deidentified>) deidentifier.deidentify(
                    DicomReaderTest.read(bytes))).value().bytes();
            for (Map.Entry<String, byte[]> file : Map.of("written", bytes, "deidentified", copy).entrySet()) {
                Path path = dir.resolve("ours-" + compression + "-" + file.getKey() + ".dcm");
                Files.write(path, file.getValue());
                Toolkits.Run dump = Toolkits.run(List.of("dcmdump", "-dc", path.toString())).requireSuccess("dcmdump");
                assertThat(dump.stderr()).as("dcmdump warnings on " + path.getFileName()).isEmpty();
                assertThat(dump.stdout()).contains("(0028,0010) US 120", "(0028,0011) US 160");
                if (file.getKey().equals("deidentified")) {
                    assertThat(dump.stdout()).doesNotContain("PatientName", "PatientBirthDate", "InstitutionName",
                            "AccessionNumber").contains("PatientIdentityRemoved");
                }
                Path plain = path;
                if (compression != SyntheticDicom.Compression.NONE) {
                    // pydicom alone decodes neither lossless JPEG nor (reliably) every RLE: dcmtk decompresses first.
                    plain = dir.resolve(path.getFileName() + ".plain.dcm");
                    String tool = compression == SyntheticDicom.Compression.RLE ? "dcmdrle" : "dcmdjpeg";
                    Toolkits.run(List.of(tool, path.toString(), plain.toString())).requireSuccess(tool);
                }
                assertThat(pydicomHu(plain)).as(path.getFileName().toString()).isEqualTo(ourHu(path));
            }
        }
    }

    // --- helpers ---

    private static DicomInstance read(Path file) throws IOException {
        return DicomReaderTest.read(Files.readAllBytes(file));
    }

    /** Modality values (HU for CT) as ScanStream decodes them, row-major. */
    private static double[] ourHu(Path file) throws IOException {
        DicomImage image = DicomPixelDecoderTest.decode(Files.readAllBytes(file));
        PixelModule m = image.module();
        double[] out = new double[(int) m.pixels()];
        for (int y = 0; y < m.rows(); y++) {
            for (int x = 0; x < m.columns(); x++) {
                out[y * m.columns() + x] = image.modalityValue(x, y);
            }
        }
        return out;
    }

    /** Modality values as pydicom reads them ({@code apply_modality_lut(ds.pixel_array, ds)}). */
    private static double[] pydicomHu(Path file) throws IOException {
        Path out = dir.resolve(file.getFileName() + ".hu");
        Toolkits.pydicomTool(dir, "hu", file.toString(), out.toString());
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        int rows = buffer.getInt();
        int columns = buffer.getInt();
        double[] values = new double[rows * columns];
        buffer.asDoubleBuffer().get(values);
        return values;
    }
}
