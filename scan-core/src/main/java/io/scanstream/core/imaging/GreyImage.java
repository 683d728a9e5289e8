package io.scanstream.core.imaging;

import java.util.Arrays;

/**
 * An 8-bit grey image, row-major, one unsigned byte per pixel: the form every scan takes after decoding and
 * the form the model consumes (after resizing to the model input).
 */
public record GreyImage(int width, int height, byte[] pixels) {

    public GreyImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image dimensions must be positive: " + width + "x" + height);
        }
        if (pixels.length != (long) width * height) {
            throw new IllegalArgumentException(
                    "expected " + ((long) width * height) + " pixels for " + width + "x" + height + ", got " + pixels.length);
        }
    }

    /** Unsigned value of the pixel at (x, y). */
    public int at(int x, int y) {
        return pixels[y * width + x] & 0xFF;
    }

    public double mean() {
        long sum = 0;
        for (byte p : pixels) {
            sum += p & 0xFF;
        }
        return (double) sum / pixels.length;
    }

    public double standardDeviation() {
        double mean = mean();
        double acc = 0;
        for (byte p : pixels) {
            double d = (p & 0xFF) - mean;
            acc += d * d;
        }
        return Math.sqrt(acc / pixels.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GreyImage other && width == other.width && height == other.height
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "GreyImage[" + width + "x" + height + "]";
    }
}
