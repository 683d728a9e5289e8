package io.scanstream.core.imaging;

/**
 * Resizes grey images with a separable triangle (bilinear) filter whose support widens with the reduction
 * factor, as PIL's {@code resize(BILINEAR)} and torchvision's {@code antialias=True} do: downscaling a 1600-pixel
 * slice to 224 averages every source pixel instead of sampling a few and aliasing.
 *
 * <p>Intermediate values stay in float; the result is rounded once, so the output is deterministic for a given
 * input on every platform (no platform-dependent floating point: only +, *, / in a fixed order).
 */
public final class AntialiasedResizer {

    private AntialiasedResizer() {
    }

    public static GreyImage resize(GreyImage source, int width, int height) {
        if (source.width() == width && source.height() == height) {
            return source;
        }
        Coefficients horizontal = Coefficients.of(source.width(), width);
        Coefficients vertical = Coefficients.of(source.height(), height);

        // Horizontal pass: source rows -> width columns.
        float[] tmp = new float[source.height() * width];
        byte[] src = source.pixels();
        for (int y = 0; y < source.height(); y++) {
            int rowOffset = y * source.width();
            for (int x = 0; x < width; x++) {
                int start = horizontal.start[x];
                int base = x * horizontal.taps;
                float acc = 0f;
                for (int k = 0; k < horizontal.count[x]; k++) {
                    acc += (src[rowOffset + start + k] & 0xFF) * horizontal.weights[base + k];
                }
                tmp[y * width + x] = acc;
            }
        }

        // Vertical pass: rows -> height rows, then round and clamp to uint8.
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++) {
            int start = vertical.start[y];
            int base = y * vertical.taps;
            for (int x = 0; x < width; x++) {
                float acc = 0f;
                for (int k = 0; k < vertical.count[y]; k++) {
                    acc += tmp[(start + k) * width + x] * vertical.weights[base + k];
                }
                int value = Math.round(acc);
                out[y * width + x] = (byte) Math.max(0, Math.min(255, value));
            }
        }
        return new GreyImage(width, height, out);
    }

    /** Per output index: first source index, number of taps and normalised weights. */
    private static final class Coefficients {
        final int taps;
        final int[] start;
        final int[] count;
        final float[] weights;

        private Coefficients(int taps, int outSize) {
            this.taps = taps;
            this.start = new int[outSize];
            this.count = new int[outSize];
            this.weights = new float[taps * outSize];
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle filter has support 1, widened when reducing
            int taps = (int) Math.ceil(support) * 2 + 1;
            Coefficients c = new Coefficients(taps, outSize);
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int min = Math.max((int) Math.floor(center - support + 0.5), 0);
                int max = Math.min((int) Math.floor(center + support + 0.5), inSize);
                int n = Math.min(max - min, taps);
                double total = 0;
                double[] w = new double[n];
                for (int k = 0; k < n; k++) {
                    double t = Math.abs((min + k - center + 0.5) / filterScale);
                    w[k] = t < 1.0 ? 1.0 - t : 0.0;
                    total += w[k];
                }
                c.start[i] = min;
                c.count[i] = n;
                for (int k = 0; k < n; k++) {
                    c.weights[i * taps + k] = (float) (total == 0 ? 0 : w[k] / total);
                }
            }
            return c;
        }
    }
}
