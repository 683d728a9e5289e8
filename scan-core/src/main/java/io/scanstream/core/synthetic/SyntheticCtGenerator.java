package io.scanstream.core.synthetic;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Grey, lung-like CT phantoms for tests, the simulated device and benchmarks, so that nothing needs the real data.
 * Deterministic: the same seed and index give the same bytes.
 *
 * <p>An axial slice: air outside an elliptic body, two dark lungs with bright vessels, a bright vertebra. The
 * COVID-like class adds peripheral ground-glass opacities (soft, brighter patches near the lung border, the
 * typical early finding); the other class has none. The classes are separable by texture inside the lungs,
 * but not by global brightness alone, which stays close.
 */
public final class SyntheticCtGenerator {

    /** Sizes seen in practice, small to large (the real slices range from 115x61 to 1671x1225). */
    public static final List<int[]> SIZES = List.of(
            new int[] {512, 512}, new int[] {640, 480}, new int[] {384, 320}, new int[] {256, 256},
            new int[] {1024, 768}, new int[] {300, 400});
    /** Scans per synthetic patient; one label per patient. */
    public static final int SCANS_PER_PATIENT = 3;

    /** How far from an opacity's centre, in standard deviations of its blob, its lesion mask reaches. */
    static final double LESION_SIGMAS = 2.0;

    private final long seed;

    public SyntheticCtGenerator(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The ground truth of the scan at this index (decided per patient). */
    public ClinicalLabel labelOf(long index) {
        long patient = index / SCANS_PER_PATIENT;
        return new SplittableRandom(mix(seed, patient, 0x5EED)).nextBoolean() ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
    }

    public String scanIdOf(long index) {
        return "synthetic-" + Long.toUnsignedString(seed, 36) + "-" + index;
    }

    public String patientRefOf(long index) {
        return "synthetic-patient-" + Long.toUnsignedString(seed, 36) + "-" + (index / SCANS_PER_PATIENT);
    }

    /** The scan at this index, with a size, pixel type and format that vary with the index. */
    public SyntheticScan scan(long index) {
        int[] size = SIZES.get((int) Math.floorMod(index, SIZES.size()));
        PixelType[] types = {PixelType.GREY8, PixelType.RGB, PixelType.RGBA, PixelType.GREY16};
        PixelType pixelType = types[(int) Math.floorMod(index / SIZES.size(), types.length)];
        // JPEG carries neither alpha nor 16 bits: those stay PNG, a third of the others are JPEG.
        boolean jpegCapable = pixelType == PixelType.GREY8 || pixelType == PixelType.RGB;
        ImageFormat format = jpegCapable && Math.floorMod(index, 3) == 0 ? ImageFormat.JPEG : ImageFormat.PNG;
        return scan(index, size[0], size[1], pixelType, format);
    }

    public SyntheticScan scan(long index, int width, int height, PixelType pixelType, ImageFormat format) {
        ClinicalLabel label = labelOf(index);
        GreyImage image = render(index, label, width, height);
        return new SyntheticScan(scanIdOf(index), patientRefOf(index), label, format, pixelType, width, height,
                encode(image, pixelType, format));
    }

    /** The phantom itself, as 8-bit grey. */
    public GreyImage render(long index, ClinicalLabel label, int width, int height) {
        return render(index, label, width, height, null);
    }

    /**
     * The phantom and where its lesions are: the same image as {@link #render} (the mask is drawn alongside and
     * takes nothing from the random sequence), with the pixels of the ground-glass opacities marked, at the
     * phantom's size. Empty for the non-COVID class. What a saliency map of a classifier that learnt the lesions
     * should cover (the Grad-CAM sanity test).
     */
    public LesionPhantom renderWithLesions(long index, ClinicalLabel label, int width, int height) {
        boolean[] mask = new boolean[width * height];
        GreyImage image = render(index, label, width, height, mask);
        return new LesionPhantom(image, mask);
    }

    /** @param lesionMask null, or {@code width * height} flags that the opacities' regions are set in */
    private GreyImage render(long index, ClinicalLabel label, int width, int height, boolean[] lesionMask) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, index, label.ordinal()));
        float[] px = new float[width * height];
        double s = Math.min(width, height);

        // Body: soft tissue ellipse.
        double bodyCx = width * (0.5 + jitter(rnd, 0.02)), bodyCy = height * (0.52 + jitter(rnd, 0.02));
        double bodyRx = width * (0.43 + jitter(rnd, 0.03)), bodyRy = height * (0.37 + jitter(rnd, 0.03));
        fillEllipse(px, width, height, bodyCx, bodyCy, bodyRx, bodyRy, 0.55f + (float) jitter(rnd, 0.04));

        // Lungs: two dark ellipses.
        double[][] lungs = new double[2][];
        for (int side = 0; side < 2; side++) {
            double cx = bodyCx + (side == 0 ? -1 : 1) * width * (0.19 + jitter(rnd, 0.015));
            double cy = bodyCy - height * (0.03 + jitter(rnd, 0.02));
            double rx = width * (0.14 + jitter(rnd, 0.015));
            double ry = height * (0.25 + jitter(rnd, 0.02));
            lungs[side] = new double[] {cx, cy, rx, ry};
            fillEllipse(px, width, height, cx, cy, rx, ry, 0.12f + (float) jitter(rnd, 0.02));
        }

        // Vessels: small bright dots inside the lungs, in both classes.
        for (double[] lung : lungs) {
            int vessels = 10 + rnd.nextInt(8);
            for (int v = 0; v < vessels; v++) {
                double[] p = pointInEllipse(rnd, lung, 0.0, 0.8);
                addBlob(px, width, height, p[0], p[1], s * (0.006 + rnd.nextDouble() * 0.006), 0.35f, lung);
            }
        }

        // Ground-glass opacities: peripheral, hazy, the COVID-like class only.
        if (label == ClinicalLabel.COVID) {
            int opacities = 4 + rnd.nextInt(5);
            for (int g = 0; g < opacities; g++) {
                double[] lung = lungs[g % 2];
                double[] p = pointInEllipse(rnd, lung, 0.6, 0.95);
                double sigma = s * (0.04 + rnd.nextDouble() * 0.035);
                addBlob(px, width, height, p[0], p[1], sigma, 0.2f + (float) rnd.nextDouble() * 0.12f, lung);
                if (lesionMask != null) {
                    markLesion(lesionMask, width, height, p[0], p[1], sigma, lung);
                }
            }
        }

        // Vertebra.
        fillEllipse(px, width, height, bodyCx, bodyCy + bodyRy * 0.72, s * 0.05, s * 0.045, 0.9f);

        byte[] out = new byte[width * height];
        for (int i = 0; i < px.length; i++) {
            double v = px[i] + rnd.nextGaussian() * 0.02;
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(v * 255)));
        }
        return new GreyImage(width, height, out);
    }

    /** Encodes 8-bit grey in the given pixel layout and format, as a device would. */
    public static byte[] encode(GreyImage image, PixelType pixelType, ImageFormat format) {
        if (format == ImageFormat.JPEG && pixelType != PixelType.GREY8 && pixelType != PixelType.RGB) {
            throw new IllegalArgumentException("JPEG carries GREY8 or RGB, not " + pixelType);
        }
        BufferedImage img = toBufferedImage(image, pixelType);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (format == ImageFormat.JPEG) {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                    writer.setOutput(out);
                    ImageWriteParam param = writer.getDefaultWriteParam();
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(0.92f);
                    writer.write(null, new IIOImage(img, null, null), param);
                } finally {
                    writer.dispose();
                }
            } else if (format == ImageFormat.PNG) {
                ImageIO.write(img, "png", bytes);
            } else {
                if (!ImageIO.write(img, format.name().toLowerCase(java.util.Locale.ROOT), bytes)) {
                    throw new IllegalArgumentException("no ImageIO writer for " + format);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static BufferedImage toBufferedImage(GreyImage image, PixelType pixelType) {
        int w = image.width(), h = image.height();
        byte[] src = image.pixels();
        switch (pixelType) {
            case GREY8 -> {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                System.arraycopy(src, 0, dst, 0, src.length);
                return img;
            }
            case GREY16 -> {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
                short[] dst = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < src.length; i++) {
                    dst[i] = (short) ((src[i] & 0xFF) * 257);
                }
                return img;
            }
            case RGB, RGBA -> {
                boolean alpha = pixelType == PixelType.RGBA;
                BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR);
                byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                int step = alpha ? 4 : 3;
                for (int i = 0, j = 0; i < src.length; i++, j += step) {
                    int k = j;
                    if (alpha) {
                        dst[k++] = (byte) 0xFF;
                    }
                    dst[k] = src[i];
                    dst[k + 1] = src[i];
                    dst[k + 2] = src[i];
                }
                return img;
            }
            default -> throw new IllegalArgumentException("cannot generate pixel type " + pixelType);
        }
    }

    private static void fillEllipse(float[] px, int w, int h, double cx, double cy, double rx, double ry, float value) {
        int x0 = Math.max(0, (int) (cx - rx)), x1 = Math.min(w - 1, (int) Math.ceil(cx + rx));
        int y0 = Math.max(0, (int) (cy - ry)), y1 = Math.min(h - 1, (int) Math.ceil(cy + ry));
        for (int y = y0; y <= y1; y++) {
            double dy = (y + 0.5 - cy) / ry;
            for (int x = x0; x <= x1; x++) {
                double dx = (x + 0.5 - cx) / rx;
                if (dx * dx + dy * dy <= 1.0) {
                    px[y * w + x] = value;
                }
            }
        }
    }

    /** Adds a Gaussian blob, clipped to the lung ellipse it belongs to. */
    private static void addBlob(float[] px, int w, int h, double cx, double cy, double sigma, float amplitude,
                                double[] lung) {
        double reach = 3 * sigma;
        int x0 = Math.max(0, (int) (cx - reach)), x1 = Math.min(w - 1, (int) Math.ceil(cx + reach));
        int y0 = Math.max(0, (int) (cy - reach)), y1 = Math.min(h - 1, (int) Math.ceil(cy + reach));
        double twoSigma2 = 2 * sigma * sigma;
        for (int y = y0; y <= y1; y++) {
            double ly = (y + 0.5 - lung[1]) / lung[3];
            for (int x = x0; x <= x1; x++) {
                double lx = (x + 0.5 - lung[0]) / lung[2];
                if (lx * lx + ly * ly > 1.0) {
                    continue;
                }
                double d2 = (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy);
                px[y * w + x] += (float) (amplitude * StrictMath.exp(-d2 / twoSigma2));
            }
        }
    }

    /**
     * An opacity's region: within {@link #LESION_SIGMAS} of its centre (where it adds at least e^-2, 14%, of its
     * peak brightness), clipped to its lung as the blob is.
     */
    private static void markLesion(boolean[] mask, int w, int h, double cx, double cy, double sigma, double[] lung) {
        double reach = LESION_SIGMAS * sigma;
        int x0 = Math.max(0, (int) (cx - reach)), x1 = Math.min(w - 1, (int) Math.ceil(cx + reach));
        int y0 = Math.max(0, (int) (cy - reach)), y1 = Math.min(h - 1, (int) Math.ceil(cy + reach));
        for (int y = y0; y <= y1; y++) {
            double ly = (y + 0.5 - lung[1]) / lung[3];
            for (int x = x0; x <= x1; x++) {
                double lx = (x + 0.5 - lung[0]) / lung[2];
                double d2 = (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy);
                if (lx * lx + ly * ly <= 1.0 && d2 <= reach * reach) {
                    mask[y * w + x] = true;
                }
            }
        }
    }

    private static double[] pointInEllipse(SplittableRandom rnd, double[] e, double minRadius, double maxRadius) {
        double angle = rnd.nextDouble() * 2 * Math.PI;
        double r = minRadius + rnd.nextDouble() * (maxRadius - minRadius);
        return new double[] {e[0] + StrictMath.cos(angle) * r * e[2], e[1] + StrictMath.sin(angle) * r * e[3]};
    }

    private static double jitter(SplittableRandom rnd, double amount) {
        return (rnd.nextDouble() * 2 - 1) * amount;
    }

    private static long mix(long seed, long index, long salt) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + salt * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
