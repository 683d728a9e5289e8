package io.scanstream.review.domain;

import io.scanstream.core.imaging.GreyImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The PNGs the pages show: the slice as the model saw it, its thumbnail, and the saliency overlay (an RGBA image
 * of the slice's size: the cam grid upsampled bilinearly, a colormap from blue through yellow to red, alpha
 * growing with the cam so that cold regions leave the slice visible).
 */
public final class Pictures {

    /** Thumbnails are this many pixels on their longer side. */
    public static final int THUMBNAIL = 64;
    /** Alpha at cam = 1 (the page's slider scales the whole overlay). */
    private static final int MAX_ALPHA = 200;

    private Pictures() {
    }

    public static byte[] slicePng(GreyImage image) {
        return png(grey(image));
    }

    /** Box-filtered: every thumbnail pixel is the mean of the slice pixels it covers. */
    public static byte[] thumbnailPng(GreyImage image) {
        int scale = Math.max(1, (Math.max(image.width(), image.height()) + THUMBNAIL - 1) / THUMBNAIL);
        int w = Math.max(1, image.width() / scale);
        int h = Math.max(1, image.height() / scale);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sum = 0;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        sum += image.at(Math.min(x * scale + dx, image.width() - 1),
                                Math.min(y * scale + dy, image.height() - 1));
                    }
                }
                out.getRaster().setSample(x, y, 0, sum / (scale * scale));
            }
        }
        return png(out);
    }

    /**
     * @param cam  row-major values in [0, 1], {@code gridWidth * gridHeight} of them
     * @throws IllegalArgumentException when the grid does not match its size or a value is outside [0, 1]
     */
    public static BufferedImage saliency(float[] cam, int gridWidth, int gridHeight, int width, int height) {
        if (gridWidth < 1 || gridHeight < 1 || cam == null || cam.length != gridWidth * gridHeight) {
            throw new IllegalArgumentException("cam has " + (cam == null ? 0 : cam.length) + " values, the grid "
                    + gridWidth + "x" + gridHeight + " needs " + (long) gridWidth * gridHeight);
        }
        for (float v : cam) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("cam values must be in [0, 1], got " + v);
            }
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            // Pixel centres mapped onto cell centres (as align_corners=false upsampling does).
            double gy = clamp((y + 0.5) * gridHeight / height - 0.5, 0, gridHeight - 1);
            int y0 = (int) Math.floor(gy);
            int y1 = Math.min(y0 + 1, gridHeight - 1);
            double fy = gy - y0;
            for (int x = 0; x < width; x++) {
                double gx = clamp((x + 0.5) * gridWidth / width - 0.5, 0, gridWidth - 1);
                int x0 = (int) Math.floor(gx);
                int x1 = Math.min(x0 + 1, gridWidth - 1);
                double fx = gx - x0;
                double v = (1 - fy) * ((1 - fx) * cam[y0 * gridWidth + x0] + fx * cam[y0 * gridWidth + x1])
                        + fy * ((1 - fx) * cam[y1 * gridWidth + x0] + fx * cam[y1 * gridWidth + x1]);
                out.setRGB(x, y, colour(v));
            }
        }
        return out;
    }

    public static byte[] saliencyPng(float[] cam, int gridWidth, int gridHeight, int width, int height) {
        return png(saliency(cam, gridWidth, gridHeight, width, height));
    }

    /** ARGB: blue (0) → cyan → yellow → red (1); alpha proportional to the value. */
    static int colour(double v) {
        double t = clamp(v, 0, 1);
        double r = clamp(1.5 * t - 0.25, 0, 1) * 255;
        double g = (t < 0.75 ? clamp(2 * t, 0, 1) : clamp(4 * (1 - t), 0, 1)) * 255;
        double b = clamp(1 - 2 * t, 0, 1) * 255;
        int a = (int) Math.round(t * MAX_ALPHA);
        return a << 24 | (int) Math.round(r) << 16 | (int) Math.round(g) << 8 | (int) Math.round(b);
    }

    private static BufferedImage grey(GreyImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        out.getRaster().setDataElements(0, 0, image.width(), image.height(), image.pixels());
        return out;
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding into memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
