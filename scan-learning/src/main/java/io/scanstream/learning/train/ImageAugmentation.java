package io.scanstream.learning.train;

import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;

import java.util.SplittableRandom;

/**
 * Training-time augmentation of preprocessed slices, seeded: a left-right flip (half the time), a random crop of
 * 80–100 % of the side with ±10 % aspect change resized back with the shared antialiased resizer, and a contrast
 * (×0.9–1.1 around mid-grey) and brightness (±10 grey levels) jitter. Mild on purpose: a CT slice's lesions are
 * small and peripheral, and a crop that cuts a lung off would teach the network the wrong thing. Contrastive
 * pretraining needs stronger views ({@link Strength#CONTRASTIVE}): it learns what the views share.
 */
public final class ImageAugmentation {

    /**
     * How far the views range: crop side {@code scaleFrom + scaleSpan * u}, contrast {@code contrastFrom +
     * contrastSpan * u}, brightness within ±{@code brightness} grey levels (u uniform in [0, 1)).
     */
    public record Strength(double scaleFrom, double scaleSpan, double contrastFrom, double contrastSpan,
                           double brightness) {

        /** Fine-tuning's: mild (see above). */
        public static final Strength MILD = new Strength(0.8, 0.2, 0.9, 0.2, 10);
        /** SimCLR-style views for grey slices: crops of 50–100 % of the side, contrast ×0.6–1.4, ±30 levels. */
        public static final Strength CONTRASTIVE = new Strength(0.5, 0.5, 0.6, 0.8, 30);
    }

    private ImageAugmentation() {
    }

    public static GreyImage augment(GreyImage image, SplittableRandom random) {
        return augment(image, random, Strength.MILD);
    }

    public static GreyImage augment(GreyImage image, SplittableRandom random, Strength strength) {
        int w = image.width();
        int h = image.height();
        byte[] src = image.pixels();
        boolean flip = random.nextBoolean();
        double scale = strength.scaleFrom() + strength.scaleSpan() * random.nextDouble();
        double aspect = 0.9 + 0.2 * random.nextDouble();
        int cropW = (int) Math.max(8, Math.min(w, Math.round(w * scale * Math.sqrt(aspect))));
        int cropH = (int) Math.max(8, Math.min(h, Math.round(h * scale / Math.sqrt(aspect))));
        int x0 = random.nextInt(w - cropW + 1);
        int y0 = random.nextInt(h - cropH + 1);
        byte[] crop = new byte[cropW * cropH];
        for (int y = 0; y < cropH; y++) {
            for (int x = 0; x < cropW; x++) {
                int sx = x0 + x;
                crop[y * cropW + x] = src[(y0 + y) * w + (flip ? w - 1 - sx : sx)];
            }
        }
        GreyImage resized = AntialiasedResizer.resize(new GreyImage(cropW, cropH, crop), w, h);
        double contrast = strength.contrastFrom() + strength.contrastSpan() * random.nextDouble();
        double brightness = -strength.brightness() + 2 * strength.brightness() * random.nextDouble();
        byte[] out = resized.pixels().clone();
        for (int i = 0; i < out.length; i++) {
            double v = ((out[i] & 0xFF) - 128) * contrast + 128 + brightness;
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
        return new GreyImage(w, h, out);
    }
}
