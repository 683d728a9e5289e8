package io.scanstream.learning.train;

import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;

import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Training-time augmentation of preprocessed slices, seeded: a left-right flip (half the time), a random crop of
 * 80–100 % of the side with ±10 % aspect change resized back with the shared antialiased resizer, and a contrast
 * (×0.9–1.1 around mid-grey) and brightness (±10 grey levels) jitter. Mild on purpose: a CT slice's lesions are
 * small and peripheral, and a crop that cuts a lung off would teach the network the wrong thing. {@link
 * Strength#STRONG} adds a small rotation and widens the ranges, as a candidate for fine-tuning; contrastive
 * pretraining needs stronger views still ({@link Strength#CONTRASTIVE}): it learns what the views share.
 */
public final class ImageAugmentation {

    /**
     * How far the views range: crop side {@code scaleFrom + scaleSpan * u}, contrast {@code contrastFrom +
     * contrastSpan * u}, brightness within ±{@code brightness} grey levels, rotation within ±{@code rotationDegrees}
     * (u uniform in [0, 1)).
     */
    public record Strength(double scaleFrom, double scaleSpan, double contrastFrom, double contrastSpan,
                           double brightness, double rotationDegrees) {

        /** Fine-tuning's default: mild (see above), no rotation. */
        public static final Strength MILD = new Strength(0.8, 0.2, 0.9, 0.2, 10, 0);
        /** Fine-tuning's stronger candidate: rotation ±10°, crops of 65–100 %, contrast ×0.75–1.25, ±20 levels. */
        public static final Strength STRONG = new Strength(0.65, 0.35, 0.75, 0.5, 20, 10);
        /** SimCLR-style views for grey slices: crops of 50–100 % of the side, contrast ×0.6–1.4, ±30 levels. */
        public static final Strength CONTRASTIVE = new Strength(0.5, 0.5, 0.6, 0.8, 30, 0);

        public Strength {
            if (!(scaleFrom > 0 && scaleSpan >= 0 && scaleFrom + scaleSpan <= 1) || !(contrastFrom > 0)
                    || !(contrastSpan >= 0) || !(brightness >= 0) || !(rotationDegrees >= 0 && rotationDegrees < 90)) {
                throw new IllegalArgumentException("augmentation needs crops within the image, a positive contrast,"
                        + " and a rotation under 90 degrees; got " + this);
            }
        }
    }

    /** How strongly fine-tuning augments its training images (configuration's names for the strengths above). */
    public enum Level {
        NONE(null), MILD(Strength.MILD), STRONG(Strength.STRONG);

        private final Strength strength;

        Level(Strength strength) {
            this.strength = strength;
        }

        /** Empty for NONE. */
        public Optional<Strength> strength() {
            return Optional.ofNullable(strength);
        }
    }

    private ImageAugmentation() {
    }

    public static GreyImage augment(GreyImage image, SplittableRandom random) {
        return augment(image, random, Strength.MILD);
    }

    public static GreyImage augment(GreyImage image, SplittableRandom random, Strength strength) {
        // drawn only when asked, so that a strength without rotation draws the same numbers as before it existed
        if (strength.rotationDegrees() > 0) {
            image = rotated(image, Math.toRadians(strength.rotationDegrees() * (2 * random.nextDouble() - 1)));
        }
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
    /**
     * The image turned by {@code radians} about its centre, bilinear; corners outside the source take the nearest
     * edge pixel (a black wedge would be a cue no scan has).
     */
    static GreyImage rotated(GreyImage image, double radians) {
        int w = image.width();
        int h = image.height();
        byte[] src = image.pixels();
        byte[] out = new byte[w * h];
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // inverse mapping: where in the source this output pixel comes from
                double dx = x - cx;
                double dy = y - cy;
                double sx = Math.max(0, Math.min(w - 1, cx + cos * dx + sin * dy));
                double sy = Math.max(0, Math.min(h - 1, cy - sin * dx + cos * dy));
                int x0 = (int) sx;
                int y0 = (int) sy;
                int x1 = Math.min(x0 + 1, w - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double fx = sx - x0;
                double fy = sy - y0;
                double top = (src[y0 * w + x0] & 0xFF) * (1 - fx) + (src[y0 * w + x1] & 0xFF) * fx;
                double bottom = (src[y1 * w + x0] & 0xFF) * (1 - fx) + (src[y1 * w + x1] & 0xFF) * fx;
                out[y * w + x] = (byte) Math.round(top * (1 - fy) + bottom * fy);
            }
        }
        return new GreyImage(w, h, out);
    }
}
