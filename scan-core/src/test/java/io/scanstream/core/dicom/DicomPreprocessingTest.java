package io.scanstream.core.dicom;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import java.util.Iterator;

import static org.assertj.core.api.Assertions.assertThat;

/** DICOM takes the one preprocessing path: the same slice as PNG and as DICOM gives the same model input. */
class DicomPreprocessingTest {

    private final ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(42);

    @ParameterizedTest
    @EnumSource(SyntheticDicom.Compression.class)
    void aPngAndADicomOfTheSamePhantomGiveTheSameTensor(SyntheticDicom.Compression compression) {
        GreyImage phantom = generator.render(3, ClinicalLabel.COVID, 512, 512);
        byte[] png = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG);
        byte[] dicom = SyntheticDicom.ctSlice(phantom, SyntheticDicom.Identifiers.of("P-1", "3"), compression);

        ScanPreprocessor.PreprocessedScan fromPng = accepted(preprocessor.preprocess(png));
        ScanPreprocessor.PreprocessedScan fromDicom = accepted(preprocessor.preprocess(dicom));

        assertThat(fromDicom.image()).isEqualTo(fromPng.image());
        assertThat(fromDicom.image().width()).isEqualTo(224);
        assertThat(fromDicom.sourceFormat()).isEqualTo(ImageFormat.DICOM);
        assertThat(fromDicom.sourcePixelType()).isEqualTo(PixelType.GREY16);
        assertThat(fromDicom.sourceWidth()).isEqualTo(512);
        // Full resolution too: the HU written invert the lung window exactly.
        DicomImage decoded = DicomPixelDecoderTest.decode(dicom);
        assertThat(DicomWindowing.DEFAULT.render(decoded)).isEqualTo(phantom);
    }

    @Test
    void anAlreadyReadInstanceGivesTheSameTensorAsItsBytes() {
        byte[] dicom = SyntheticDicom.ctSlice(generator.render(1, ClinicalLabel.NON_COVID, 300, 200),
                SyntheticDicom.Identifiers.of("P-2", "1"), SyntheticDicom.Compression.JPEG_LOSSLESS);
        DicomInstance instance = DicomReaderTest.read(dicom);
        assertThat(accepted(preprocessor.preprocess(instance)).image())
                .isEqualTo(accepted(preprocessor.preprocess(dicom)).image());
    }

    @Test
    void theConfiguredWindowChangesTheTensor() {
        byte[] dicom = SyntheticDicom.ctSlice(generator.render(1, ClinicalLabel.NON_COVID, 256, 256),
                SyntheticDicom.Identifiers.of("P-2", "1"), SyntheticDicom.Compression.NONE);
        ScanPreprocessor mediastinum = new ScanPreprocessor(DecodeLimits.DEFAULT,
                new DicomWindowing(new HounsfieldWindow(40, 400), false));
        assertThat(accepted(mediastinum.preprocess(dicom)).image())
                .isNotEqualTo(accepted(preprocessor.preprocess(dicom)).image());
    }

    @Test
    void passesDicomRefusalsThroughAsRejections() {
        byte[] noPixels = TestDicom.slice().writer().remove(DicomTag.PIXEL_DATA).toBytes();
        ScanPreprocessor.Result result = preprocessor.preprocess(noPixels);
        assertThat(result).isInstanceOfSatisfying(ScanPreprocessor.Result.Rejected.class,
                r -> assertThat(r.rejection().reason()).isEqualTo(RejectionReason.UNSUPPORTED_FORMAT));
        assertThat(preprocessor.decoder().header(TestDicom.slice().bytes()).width()).isEqualTo(24);
    }

    @Test
    void theJdkJpegReaderStaysTheOneImageIoHandsOut() {
        // Ingest treats the JDK reader's warnings as damage; a JPEG plugin on the class path (TwelveMonkeys, for
        // lossless JPEG) would replace it silently. DICOM's lossless JPEG is decoded without ImageIO for that reason.
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        assertThat(readers.next().getClass().getName()).isEqualTo("com.sun.imageio.plugins.jpeg.JPEGImageReader");
    }

    private static ScanPreprocessor.PreprocessedScan accepted(ScanPreprocessor.Result result) {
        assertThat(result).as(() -> result.toString()).isInstanceOf(ScanPreprocessor.Result.Accepted.class);
        return ((ScanPreprocessor.Result.Accepted) result).scan();
    }
}
