package io.scanstream.core.imaging;

/**
 * The antialiased resize written as its definition reads: each output value its taps' weighted sum, taps innermost
 * (how {@link AntialiasedResizer} computed it until 2026-12-07). The tests hold the production resizer to it bit for
 * bit, and {@code ResizeBenchmark} runs it as the baseline.
 */
public final class TapByTapResizer {

    private TapByTapResizer() {
    }

    public static GreyImage resize(GreyImage source, int width, int height) {
        if (source.width() == width && source.height() == height) {
            return source;
        }
        AntialiasedResizer.Coefficients horizontal = AntialiasedResizer.Coefficients.of(source.width(), width);
        AntialiasedResizer.Coefficients vertical = AntialiasedResizer.Coefficients.of(source.height(), height);
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
}
