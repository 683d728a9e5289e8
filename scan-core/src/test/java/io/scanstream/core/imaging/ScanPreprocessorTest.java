package io.scanstream.core.imaging;

import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class ScanPreprocessorTest {

    private final ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);

    @Test
    void producesTheModelInputOfEveryGeneratedVariant() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(11);
        for (int i = 0; i < 24; i++) { // covers every size x pixel type x format combination the generator makes
            SyntheticScan scan = generator.scan(i);
            ScanPreprocessor.PreprocessedScan out = accepted(scan.bytes());
            assertThat(out.image().width()).isEqualTo(224);
            assertThat(out.image().height()).isEqualTo(224);
            assertThat(out.sourceWidth()).isEqualTo(scan.width());
            assertThat(out.sourceHeight()).isEqualTo(scan.height());
            assertThat(out.sourceFormat()).isEqualTo(scan.format());
            assertThat(out.sourcePixelType()).isEqualTo(scan.pixelType());
        }
    }

    @Test
    void givesTheSameTensorForTheSameImageInAnyLosslessEncoding() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(3);
        GreyImage phantom = generator.render(5, io.scanstream.core.contract.ClinicalLabel.NON_COVID, 640, 480);
        GreyImage reference = accepted(SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG)).image();
        for (PixelType type : new PixelType[] {PixelType.GREY16, PixelType.RGB, PixelType.RGBA}) {
            assertThat(accepted(SyntheticCtGenerator.encode(phantom, type, ImageFormat.PNG)).image())
                    .as(type.name()).isEqualTo(reference);
        }
        GreyImage fromJpeg = accepted(SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.JPEG)).image();
        assertThat(ScanDecoderTest.meanAbsoluteDifference(fromJpeg, reference)).isLessThan(1.5);
    }

    @Test
    void goldenStatisticsOfAKnownPhantom() {
        // Golden values: seed 42, index 0, 512x512 GREY8 PNG. They change only when the generator or the
        // preprocessing changes; such a change must be deliberate (it shifts what the model sees).
        SyntheticScan scan = new SyntheticCtGenerator(42).scan(0, 512, 512, PixelType.GREY8, ImageFormat.PNG);
        GreyImage out = accepted(scan.bytes()).image();
        GreyImage direct = AntialiasedResizer.resize(new SyntheticCtGenerator(42).render(0, scan.label(), 512, 512), 224, 224);
        assertThat(out).isEqualTo(direct);
        assertThat(out.mean()).isCloseTo(GOLDEN_MEAN, offset(0.01));
        assertThat(out.standardDeviation()).isCloseTo(GOLDEN_STD, offset(0.01));
        assertThat(io.scanstream.core.integrity.Sha256.hex(out.pixels())).isEqualTo(GOLDEN_SHA256);
    }

    @Test
    void passesRejectionsThrough() {
        ScanPreprocessor.Result result = preprocessor.preprocess(TestImages.pngHeaderDeclaring(100_000, 100_000));
        assertThat(result).isInstanceOf(ScanPreprocessor.Result.Rejected.class);
        assertThat(((ScanPreprocessor.Result.Rejected) result).rejection().reason()).isEqualTo(RejectionReason.TOO_LARGE);
    }

    private ScanPreprocessor.PreprocessedScan accepted(byte[] bytes) {
        ScanPreprocessor.Result result = preprocessor.preprocess(bytes);
        assertThat(result).isInstanceOf(ScanPreprocessor.Result.Accepted.class);
        return ((ScanPreprocessor.Result.Accepted) result).scan();
    }

    static final double GOLDEN_MEAN = 55.3478;
    static final double GOLDEN_STD = 65.0873;
    static final String GOLDEN_SHA256 = "762a9332924a5c1beec26aeedccd2a0c964a5fa16db95ce3f5971971abf9fa80";
}
