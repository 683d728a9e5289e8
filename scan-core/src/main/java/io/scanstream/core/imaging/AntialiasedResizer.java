package io.scanstream.core.imaging;

import java.util.Arrays;

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

        // Each output value sums its taps in their order (k = 0, 1, ...), as the filter defines it. The horizontal
        // pass (the larger: every source row) runs four columns side by side, each its own accumulator, so their
        // additions overlap instead of forming one chain of dependent float additions; the vertical pass runs
        // over columns innermost, one independent addition per column and tap. The same floats in the same order: bit for bit the
        // tap-by-tap result (AntialiasedResizerTest).

        // Horizontal pass: source rows -> width columns. The row is converted to float once and padded with zeros;
        // a column's taps past its count have weight 0 and read pixels or padding: adding +0.0f to a non-negative
        // sum leaves it as it is.
        int taps = horizontal.taps;
        float[] weights = horizontal.weights;
        int[] start = horizontal.start;
        float[] row = new float[source.width() + taps];
        float[] tmp = new float[source.height() * width];
        byte[] src = source.pixels();
        for (int y = 0; y < source.height(); y++) {
            int rowOffset = y * source.width();
            for (int i = 0; i < source.width(); i++) {
                row[i] = src[rowOffset + i] & 0xFF;
            }
            int tmpRow = y * width;
            int x = 0;
            for (; x + 4 <= width; x += 4) {
                int s0 = start[x];
                int s1 = start[x + 1];
                int s2 = start[x + 2];
                int s3 = start[x + 3];
                int w0 = x * taps;
                float a0 = 0f;
                float a1 = 0f;
                float a2 = 0f;
                float a3 = 0f;
                for (int k = 0; k < taps; k++) {
                    a0 += row[s0 + k] * weights[w0 + k];
                    a1 += row[s1 + k] * weights[w0 + taps + k];
                    a2 += row[s2 + k] * weights[w0 + 2 * taps + k];
                    a3 += row[s3 + k] * weights[w0 + 3 * taps + k];
                }
                tmp[tmpRow + x] = a0;
                tmp[tmpRow + x + 1] = a1;
                tmp[tmpRow + x + 2] = a2;
                tmp[tmpRow + x + 3] = a3;
            }
            for (; x < width; x++) {
                float a = 0f;
                for (int k = 0; k < taps; k++) {
                    a += row[start[x] + k] * weights[x * taps + k];
                }
                tmp[tmpRow + x] = a;
            }
        }

        // Vertical pass: rows -> height rows, then round and clamp to uint8.
        byte[] out = new byte[width * height];
        float[] acc = new float[width];
        for (int y = 0; y < height; y++) {
            Arrays.fill(acc, 0f);
            int first = vertical.start[y];
            int base = y * vertical.taps;
            for (int k = 0; k < vertical.count[y]; k++) {
                float weight = vertical.weights[base + k];
                int tmpOffset = (first + k) * width;
                for (int x = 0; x < width; x++) {
                    acc[x] += tmp[tmpOffset + x] * weight;
                }
            }
            for (int x = 0; x < width; x++) {
                int value = Math.round(acc[x]);
                out[y * width + x] = (byte) Math.max(0, Math.min(255, value));
            }
        }
        return new GreyImage(width, height, out);
    }

    /**
     * Per output index: first source index, number of taps and normalised weights (package-private for the tests'
     * tap-by-tap reference, which sums the same weights).
     */
    static final class Coefficients {
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
