package io.scanstream.core.imaging;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ScanDecoderTest {

    private final ScanDecoder decoder = new ScanDecoder(DecodeLimits.DEFAULT);
    private final GreyImage phantom = new SyntheticCtGenerator(7).render(0, io.scanstream.core.contract.ClinicalLabel.COVID, 96, 80);

    @Test
    void rejectsEmptyPayloadAsCorrupt() {
        assertRejected(new byte[0], RejectionReason.CORRUPT_IMAGE, "empty payload");
    }

    @Test
    void rejectsRandomBytesAsUnsupportedFormat() {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        noise[0] = 0x42; // make sure no signature matches by chance
        assertRejected(noise, RejectionReason.UNSUPPORTED_FORMAT, "not a known image format");
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 20, 40, 100, 500})
    void rejectsTruncatedPngAsCorrupt(int keep) {
        byte[] png = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG);
        assertThat(png.length).isGreaterThan(keep);
        assertRejected(TestImages.truncate(png, keep), RejectionReason.CORRUPT_IMAGE, "PNG");
    }

    @Test
    void rejectsPngCutJustBeforeItsEnd() {
        byte[] png = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG);
        assertRejected(TestImages.truncate(png, png.length - 20), RejectionReason.CORRUPT_IMAGE, "PNG");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.9})
    void rejectsTruncatedJpegAsCorrupt(double fraction) {
        byte[] jpeg = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.JPEG);
        assertRejected(TestImages.truncate(jpeg, (int) (jpeg.length * fraction)), RejectionReason.CORRUPT_IMAGE, "JPEG");
    }

    @Test
    void rejectsJpegWithoutFrameHeader() {
        assertRejected(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}, RejectionReason.CORRUPT_IMAGE,
                "no frame header");
    }

    @Test
    void rejectsPngWhoseHeaderDeclaresTooManyPixelsBeforeDecoding() {
        assertRejected(TestImages.pngHeaderDeclaring(100_000, 100_000), RejectionReason.TOO_LARGE, "100000x100000");
    }

    @Test
    void rejectsJpegWhoseHeaderDeclaresTooManyPixelsBeforeDecoding() {
        assertRejected(TestImages.jpegHeaderDeclaring(60_000, 60_000), RejectionReason.TOO_LARGE, "60000x60000");
    }

    @Test
    void rejectsA16BitRgbaPngWhoseRasterExceedsTheBudgetFromItsHeader() {
        // 6324x6324 is within the width, height and pixel limits, but as 16-bit RGBA it decodes to 320 MB.
        byte[] png = TestImages.pngDeclaring(6324, 6324, 16, 6);
        assertThat(png.length).isLessThan(2000);
        Rejection rejection = reject(new ScanDecoder(DecodeLimits.DEFAULT), png);
        assertThat(rejection.reason()).isEqualTo(RejectionReason.TOO_LARGE);
        assertThat(rejection.detail()).contains("6324x6324").contains("4 band(s) of 16 bits")
                .contains(String.valueOf(6324L * 6324 * 8)).contains("raster");
        // the same header in 8-bit grey is within the budget (and then found short of data)
        assertThat(reject(new ScanDecoder(DecodeLimits.DEFAULT), TestImages.pngDeclaring(6324, 6324, 8, 0)).reason())
                .isEqualTo(RejectionReason.CORRUPT_IMAGE);
        // the budget is configurable
        assertThat(reject(new ScanDecoder(new DecodeLimits(1 << 20, 8192, 8192, 1L << 30, 96 * 80 - 1)),
                SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG)).reason())
                .isEqualTo(RejectionReason.TOO_LARGE);
    }

    @Test
    void rejectsPngDeclaringZeroWidth() {
        assertRejected(TestImages.pngHeaderDeclaring(0, 10), RejectionReason.CORRUPT_IMAGE, "invalid dimensions");
    }

    @Test
    void honoursEachConfiguredLimit() {
        byte[] png = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.PNG);
        assertThat(reject(new ScanDecoder(new DecodeLimits(png.length - 1, 8192, 8192, 1L << 30)), png).reason())
                .isEqualTo(RejectionReason.TOO_LARGE);
        assertThat(reject(new ScanDecoder(new DecodeLimits(1 << 20, 95, 8192, 1L << 30)), png).reason())
                .isEqualTo(RejectionReason.TOO_LARGE);
        assertThat(reject(new ScanDecoder(new DecodeLimits(1 << 20, 8192, 79, 1L << 30)), png).reason())
                .isEqualTo(RejectionReason.TOO_LARGE);
        assertThat(reject(new ScanDecoder(new DecodeLimits(1 << 20, 8192, 8192, 96 * 80 - 1)), png).reason())
                .isEqualTo(RejectionReason.TOO_LARGE);
        assertThat(new ScanDecoder(new DecodeLimits(png.length, 96, 80, 96 * 80)).decode(png))
                .isInstanceOf(DecodeResult.Decoded.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gif", "bmp", "tiff"})
    void rejectsOtherImageFormatsAsUnsupported(String format) {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        assertRejected(TestImages.write(img, format), RejectionReason.UNSUPPORTED_FORMAT, "not supported");
    }

    @ParameterizedTest
    @EnumSource(value = PixelType.class, names = {"GREY8", "GREY16", "RGB", "RGBA"})
    void decodesEveryPngPixelTypeToTheSameGreyPixels(PixelType type) {
        DecodedScan scan = decoded(SyntheticCtGenerator.encode(phantom, type, ImageFormat.PNG));
        assertThat(scan.sourcePixelType()).isEqualTo(type);
        assertThat(scan.format()).isEqualTo(ImageFormat.PNG);
        assertThat(scan.image()).isEqualTo(phantom);
    }

    @ParameterizedTest
    @EnumSource(value = PixelType.class, names = {"GREY8", "RGB"})
    void decodesJpegCloseToTheOriginal(PixelType type) {
        DecodedScan scan = decoded(SyntheticCtGenerator.encode(phantom, type, ImageFormat.JPEG));
        assertThat(scan.format()).isEqualTo(ImageFormat.JPEG);
        // Decoded straight to grey, but the scan reports the layout the file holds.
        assertThat(scan.sourcePixelType()).isEqualTo(type);
        assertThat(meanAbsoluteDifference(scan.image(), phantom)).isLessThan(3.0);
    }

    @Test
    void decodesAColourJpegToTheLumaOfItsColours() throws Exception {
        // Grey CT content with a saturated red annotation, as some exported slices carry.
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int v = (x * 4 + y * 2) & 0xFF;
                img.setRGB(x, y, x >= 40 && y >= 30 ? 0xFF0000 : v << 16 | v << 8 | v);
            }
        }
        byte[] jpeg = TestImages.write(img, "jpeg");
        DecodedScan scan = decoded(jpeg);
        assertThat(scan.sourcePixelType()).isEqualTo(PixelType.RGB);
        BufferedImage rgb = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        int unclampedMax = 0;
        int clampedMax = 0;
        int clamped = 0;
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int p = rgb.getRGB(x, y);
                int r = (p >> 16) & 0xFF;
                int g = (p >> 8) & 0xFF;
                int b = p & 0xFF;
                int diff = Math.abs(GreyConverter.luma(r, g, b) - scan.image().at(x, y));
                if (Math.min(r, Math.min(g, b)) == 0 || Math.max(r, Math.max(g, b)) == 255) {
                    clampedMax = Math.max(clampedMax, diff);
                    clamped++;
                } else {
                    unclampedMax = Math.max(unclampedMax, diff);
                }
            }
        }
        // The Y channel is luma of the decoded RGB up to rounding; where the decoder clamped a channel to 0 or 255
        // (saturated colour), Y keeps the luma of the colour before clamping.
        assertThat(unclampedMax).isLessThanOrEqualTo(2);
        assertThat(clamped).isPositive();
        assertThat(clampedMax).isLessThanOrEqualTo(16);
    }

    @Test
    void convertsPaletteImagesThroughTheirColourTable() {
        byte[] levels = {0, 64, (byte) 128, (byte) 255};
        IndexColorModel palette = new IndexColorModel(2, 4, levels, levels, levels);
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        WritableRaster raster = img.getRaster();
        for (int x = 0; x < 4; x++) {
            raster.setSample(x, 0, 0, x);
        }
        DecodedScan scan = decoded(TestImages.write(img, "png"));
        assertThat(scan.sourcePixelType()).isEqualTo(PixelType.PALETTE);
        assertThat(scan.image().pixels()).containsExactly(levels);
    }

    @Test
    void reducesColourWithBt601Luma() {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(2, 0, 0x0000FF);
        DecodedScan scan = decoded(TestImages.write(img, "png"));
        // 0.299 * 255, 0.587 * 255, 0.114 * 255, rounded
        assertThat(scan.image().at(0, 0)).isEqualTo(76);
        assertThat(scan.image().at(1, 0)).isEqualTo(150);
        assertThat(scan.image().at(2, 0)).isEqualTo(29);
    }

    @Test
    void scales16BitGreyToEightBitsWithRounding() {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 0);
        img.getRaster().setSample(1, 0, 0, 32896); // 128 * 257
        img.getRaster().setSample(2, 0, 0, 65535);
        DecodedScan scan = decoded(TestImages.write(img, "png"));
        assertThat(scan.sourcePixelType()).isEqualTo(PixelType.GREY16);
        assertThat(scan.image().pixels()).containsExactly(0, (byte) 128, (byte) 255);
    }

    @Test
    void judgesFormatByBytesNotByName() {
        // A JPEG that a caller believes is a PNG (as 34 real files are) still decodes as JPEG.
        byte[] jpeg = SyntheticCtGenerator.encode(phantom, PixelType.GREY8, ImageFormat.JPEG);
        assertThat(decoded(jpeg).format()).isEqualTo(ImageFormat.JPEG);
    }

    private DecodedScan decoded(byte[] bytes) {
        DecodeResult result = decoder.decode(bytes);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) result).scan();
    }

    private void assertRejected(byte[] bytes, RejectionReason reason, String detailFragment) {
        Rejection rejection = reject(decoder, bytes);
        assertThat(rejection.reason()).as(rejection.detail()).isEqualTo(reason);
        assertThat(rejection.detail()).contains(detailFragment);
    }

    private static Rejection reject(ScanDecoder decoder, byte[] bytes) {
        DecodeResult result = decoder.decode(bytes);
        assertThat(result).isInstanceOf(DecodeResult.Refused.class);
        return ((DecodeResult.Refused) result).rejection();
    }

    static double meanAbsoluteDifference(GreyImage a, GreyImage b) {
        double sum = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            sum += Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF));
        }
        return sum / a.pixels().length;
    }
}
