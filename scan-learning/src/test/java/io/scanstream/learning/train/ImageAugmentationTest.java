package io.scanstream.learning.train;

import io.scanstream.core.imaging.GreyImage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageAugmentationTest {

    private static final int SIDE = 32;

    @Test
    void aQuarterTurnMovesEveryPixelWhereARotationPutsIt() {
        GreyImage image = gradient();

        GreyImage turned = ImageAugmentation.rotated(image, Math.PI / 2);

        // Turning by +90° about the centre: output (x, y) reads source (y, SIDE - 1 - x) (image y points down).
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                assertThat(turned.pixels()[y * SIDE + x]).isEqualTo(image.pixels()[(SIDE - 1 - x) * SIDE + y]);
            }
        }
        assertThat(ImageAugmentation.rotated(image, 0).pixels()).isEqualTo(image.pixels());
    }

    @Test
    void cornersOutsideTheSourceTakeTheNearestEdgeNotBlack() {
        GreyImage white = new GreyImage(SIDE, SIDE, filled((byte) 200));

        GreyImage turned = ImageAugmentation.rotated(white, Math.toRadians(30));

        assertThat(turned.pixels()).containsOnly((byte) 200);
    }

    @Test
    void strongAugmentationRotatesWhereMildKeepsTheImageUpright() {
        // Horizontal stripes: flips and crops of a mild augmentation keep every row one grey level, a rotation
        // does not.
        byte[] stripes = new byte[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                stripes[y * SIDE + x] = (byte) ((y / 4) % 2 == 0 ? 40 : 220);
            }
        }
        GreyImage image = new GreyImage(SIDE, SIDE, stripes);
        int mildTilted = 0;
        int strongTilted = 0;
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20; i++) {
            mildTilted += tilted(ImageAugmentation.augment(image, random, ImageAugmentation.Strength.MILD)) ? 1 : 0;
            strongTilted += tilted(ImageAugmentation.augment(image, random, ImageAugmentation.Strength.STRONG)) ? 1 : 0;
        }

        assertThat(mildTilted).isZero();
        assertThat(strongTilted).isGreaterThanOrEqualTo(15);
    }

    @Test
    void theLevelsNameTheirStrengthsAndNoneHasNone() {
        assertThat(ImageAugmentation.Level.NONE.strength()).isEmpty();
        assertThat(ImageAugmentation.Level.MILD.strength()).contains(ImageAugmentation.Strength.MILD);
        assertThat(ImageAugmentation.Level.STRONG.strength()).contains(ImageAugmentation.Strength.STRONG);
        assertThat(ImageAugmentation.Strength.MILD.rotationDegrees()).isZero();
    }

    @Test
    void refusesCropsBeyondTheImageAndRotationsOfAQuarterTurnOrMore() {
        assertThatThrownBy(() -> new ImageAugmentation.Strength(0.8, 0.3, 0.9, 0.2, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crops");
        assertThatThrownBy(() -> new ImageAugmentation.Strength(0.8, 0.2, 0.9, 0.2, 10, 90))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rotation");
    }

    /** Whether some row holds two grey levels more than 60 apart (the contrast jitter alone moves levels less). */
    private static boolean tilted(GreyImage image) {
        for (int y = 2; y < SIDE - 2; y++) {
            int min = 255;
            int max = 0;
            for (int x = 2; x < SIDE - 2; x++) {
                int v = image.pixels()[y * SIDE + x] & 0xFF;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (max - min > 60) {
                return true;
            }
        }
        return false;
    }

    private static GreyImage gradient() {
        byte[] pixels = new byte[SIDE * SIDE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i * 7) % 251);
        }
        return new GreyImage(SIDE, SIDE, pixels);
    }

    private static byte[] filled(byte value) {
        byte[] pixels = new byte[SIDE * SIDE];
        java.util.Arrays.fill(pixels, value);
        return pixels;
    }
}
