package io.scanstream.core.imaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The direct byte-array path must give exactly what the per-sample path gives, whatever the band layout. */
class GreyConverterTest {

    private static final int W = 37;
    private static final int H = 23;

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB})
    void colourLayoutsGiveBt601LumaOfEveryPixel(int imageType) {
        BufferedImage image = randomColour(new BufferedImage(W, H, imageType), 11);
        assertThat(GreyConverter.toGrey(image, GreyConverter.pixelTypeOf(image)).pixels()).containsExactly(lumaOf(image));
    }

    @Test
    void interleavedRgbaAsThePngReaderLaysItOutGivesTheSameLuma() {
        // The PNG reader's own layout: R, G, B, A in that order (the default image type is ABGR).
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, W, H, W * 4, 4,
                new int[] {0, 1, 2, 3}, null);
        BufferedImage image = randomColour(new BufferedImage(model, raster, false, null), 12);
        assertThat(GreyConverter.pixelTypeOf(image)).isEqualTo(PixelType.RGBA);
        assertThat(GreyConverter.toGrey(image, PixelType.RGBA).pixels()).containsExactly(lumaOf(image));
    }

    @Test
    void aSubImageSharingItsParentsArrayTakesTheGeneralPathAndStillMatches() {
        BufferedImage parent = randomColour(new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR), 13);
        BufferedImage child = parent.getSubimage(5, 3, 20, 10);
        assertThat(GreyConverter.toGrey(child, PixelType.RGB).pixels()).containsExactly(lumaOf(child));
    }

    @Test
    void greyBytesAreCopiedAsTheyAre() {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(14);
        byte[] expected = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int v = random.nextInt(256);
                image.getRaster().setSample(x, y, 0, v);
                expected[y * W + x] = (byte) v;
            }
        }
        assertThat(GreyConverter.toGrey(image, PixelType.GREY8).pixels()).containsExactly(expected);
    }

    private static BufferedImage randomColour(BufferedImage image, long seed) {
        Random random = new Random(seed);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, 0xFF000000 | random.nextInt(1 << 24));
            }
        }
        return image;
    }

    private static byte[] lumaOf(BufferedImage image) {
        byte[] out = new byte[image.getWidth() * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                out[y * image.getWidth() + x] = (byte) GreyConverter.luma((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
            }
        }
        return out;
    }
}
