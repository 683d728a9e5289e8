package io.scanstream.review.domain;

import io.scanstream.core.imaging.GreyImage;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PicturesTest {

    private static GreyImage gradient() {
        byte[] pixels = new byte[224 * 224];
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                pixels[y * 224 + x] = (byte) x;
            }
        }
        return new GreyImage(224, 224, pixels);
    }

    @Test
    void theSlicePngHoldsThePixelsTheModelSaw() throws IOException {
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Pictures.slicePng(gradient())));
        assertThat(png.getWidth()).isEqualTo(224);
        assertThat(png.getRaster().getSample(100, 7, 0)).isEqualTo(100);
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(Pictures.thumbnailPng(gradient())));
        assertThat(thumb.getWidth()).isEqualTo(56);
        assertThat(thumb.getHeight()).isEqualTo(56);
        // the mean of x = 40..43
        assertThat(thumb.getRaster().getSample(10, 3, 0)).isEqualTo(41);
    }

    @Test
    void upsamplesTheCamBilinearlyWithAlphaFromItsValue() {
        // 2x2 grid: hot top-left cell only
        BufferedImage overlay = Pictures.saliency(new float[] {1, 0, 0, 0}, 2, 2, 224, 224);
        assertThat(overlay.getWidth()).isEqualTo(224);
        int corner = overlay.getRGB(0, 0);
        int opposite = overlay.getRGB(223, 223);
        int middle = overlay.getRGB(111, 111);
        assertThat(corner >>> 24).isEqualTo(200);       // cam 1: the overlay's full alpha, red
        assertThat((corner >> 16) & 0xff).isEqualTo(255);
        assertThat(opposite >>> 24).isZero();            // cam 0: transparent
        assertThat(middle >>> 24).isBetween(30, 70);     // about a quarter between the four cells' centres
    }

    @Test
    void refusesACamThatDoesNotFitItsGridOrLeavesZeroToOne() {
        assertThatThrownBy(() -> Pictures.saliency(new float[3], 2, 2, 224, 224)).hasMessageContaining("needs 4");
        assertThatThrownBy(() -> Pictures.saliency(new float[] {0, 0, 0, Float.NaN}, 2, 2, 224, 224))
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> Pictures.saliency(new float[] {0, 0, 0, 1.5f}, 2, 2, 224, 224))
                .hasMessageContaining("[0, 1]");
    }

    @Test
    void theImageCacheReadsEachImageOnceWhileItIsHeld() {
        AtomicInteger reads = new AtomicInteger();
        ScanImages source = (id, location) -> {
            reads.incrementAndGet();
            return Optional.of(gradient());
        };
        ImageCache cache = new ImageCache(source, 2);
        cache.image("a", new ImageLocation(0, 1));
        cache.image("a", new ImageLocation(0, 1));
        cache.image("b", new ImageLocation(0, 2));
        cache.image("c", new ImageLocation(0, 3)); // evicts a
        cache.image("a", new ImageLocation(0, 1));
        assertThat(reads.get()).isEqualTo(4);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(new ImageCache((id, l) -> Optional.empty(), 1).image("x", new ImageLocation(0, 0))).isEmpty();
    }
}
