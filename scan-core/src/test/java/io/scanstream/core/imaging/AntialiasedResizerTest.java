package io.scanstream.core.imaging;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class AntialiasedResizerTest {

    @Test
    void keepsAConstantImageConstant() {
        byte[] px = new byte[1671 * 1225];
        Arrays.fill(px, (byte) 93);
        GreyImage out = AntialiasedResizer.resize(new GreyImage(1671, 1225, px), 224, 224);
        assertThat(out.width()).isEqualTo(224);
        assertThat(out.height()).isEqualTo(224);
        for (byte p : out.pixels()) {
            assertThat(p & 0xFF).isEqualTo(93);
        }
    }

    @Test
    void returnsTheSameImageWhenTheSizeAlreadyMatches() {
        GreyImage img = TestImages.ramp(224, 224);
        assertThat(AntialiasedResizer.resize(img, 224, 224)).isSameAs(img);
    }

    @Test
    void averagesAFineCheckerboardInsteadOfAliasing() {
        // 1-pixel checkerboard, reduced 4x: a point-sampling resizer returns pure black or white pixels,
        // an antialiased one returns mid-grey everywhere.
        int n = 896;
        byte[] px = new byte[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                px[y * n + x] = (byte) (((x + y) & 1) == 0 ? 0 : 255);
            }
        }
        GreyImage out = AntialiasedResizer.resize(new GreyImage(n, n, px), 224, 224);
        for (int y = 1; y < 223; y++) {
            for (int x = 1; x < 223; x++) {
                assertThat(out.at(x, y)).isBetween(120, 135);
            }
        }
    }

    @Test
    void halvingTwoHalvesKeepsThemApartWithOneBlendedColumn() {
        // Left half black, right half white, 448 → 224: known output statistics.
        int w = 448, h = 448;
        byte[] px = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = w / 2; x < w; x++) {
                px[y * w + x] = (byte) 255;
            }
        }
        GreyImage out = AntialiasedResizer.resize(new GreyImage(w, h, px), 224, 224);
        for (int y = 0; y < 224; y++) {
            assertThat(out.at(0, y)).isZero();
            assertThat(out.at(110, y)).isZero();
            assertThat(out.at(113, y)).isEqualTo(255);
            assertThat(out.at(223, y)).isEqualTo(255);
            // the two columns at the edge blend symmetrically
            assertThat(out.at(111, y) + out.at(112, y)).isEqualTo(255);
        }
        assertThat(out.mean()).isEqualTo(127.5);
    }

    @Test
    void preservesARampsMeanWhenReducing() {
        GreyImage ramp = TestImages.ramp(1000, 300);
        GreyImage out = AntialiasedResizer.resize(ramp, 224, 224);
        assertThat(out.mean()).isCloseTo(ramp.mean(), org.assertj.core.data.Offset.offset(0.6));
        // monotonic left to right
        for (int x = 1; x < 224; x++) {
            assertThat(out.at(x, 100)).isGreaterThanOrEqualTo(out.at(x - 1, 100));
        }
    }

    @Test
    void enlargesSmallSlices() {
        // The smallest real slice is 115x61.
        GreyImage ramp = TestImages.ramp(115, 61);
        GreyImage out = AntialiasedResizer.resize(ramp, 224, 224);
        assertThat(out.at(0, 0)).isLessThan(3);
        assertThat(out.at(223, 223)).isGreaterThan(252);
        assertThat(out.mean()).isCloseTo(127.5, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void givesTheTapByTapDefinitionBitForBit() {
        // Sizes the data and the decoder's limits meet: strong and slight reductions, enlargements, one axis
        // reduced and the other enlarged, odd sizes, a single pixel; random pixels (seeded) and the hard edges of
        // a checkerboard, where rounding is most exposed. Targets whose width is not a multiple of four take the
        // horizontal pass's column-by-column remainder.
        int[][] sizes = {{1637, 1225}, {1671, 1049}, {725, 551}, {512, 512}, {225, 223}, {224, 300}, {115, 61},
                {1, 1}, {3, 2000}, {2000, 3}, {448, 449}, {97, 1301}};
        Random random = new Random(20261207);
        for (int[] size : sizes) {
            byte[] noise = new byte[size[0] * size[1]];
            random.nextBytes(noise);
            byte[] checkerboard = new byte[size[0] * size[1]];
            for (int i = 0; i < checkerboard.length; i++) {
                checkerboard[i] = (byte) ((i % size[0] + i / size[0]) % 2 == 0 ? 255 : 0);
            }
            for (byte[] pixels : List.of(noise, checkerboard)) {
                GreyImage source = new GreyImage(size[0], size[1], pixels);
                for (int[] target : new int[][] {{224, 224}, {288, 288}, {64, 32}, {230, 97}, {3, 1}}) {
                    byte[] resized = AntialiasedResizer.resize(source, target[0], target[1]).pixels();
                    byte[] definition = TapByTapResizer.resize(source, target[0], target[1]).pixels();
                    assertThat(Arrays.mismatch(resized, definition))
                            .as("first pixel that differs, %dx%d to %dx%d", size[0], size[1], target[0], target[1])
                            .isEqualTo(-1);
                }
            }
        }
    }
}
