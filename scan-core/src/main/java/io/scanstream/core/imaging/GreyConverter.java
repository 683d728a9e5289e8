package io.scanstream.core.imaging;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;

/**
 * Converts any decoded pixel layout to 8-bit grey. Grey samples are taken as they are (rescaled from their bit
 * depth); colour is reduced with ITU-R BT.601 luma, as PIL's {@code convert("L")} does; alpha is ignored, as PIL
 * ignores it (CT slices exported with an alpha channel are opaque).
 */
final class GreyConverter {

    private GreyConverter() {
    }

    static PixelType pixelTypeOf(BufferedImage image) {
        return pixelTypeOf(image.getColorModel(), image.getSampleModel());
    }

    /** The layout a decoder's image type describes, before any pixel is decoded. */
    static PixelType pixelTypeOf(ColorModel cm, SampleModel sampleModel) {
        if (cm instanceof IndexColorModel) {
            return PixelType.PALETTE;
        }
        int bands = sampleModel.getNumBands();
        int bits = sampleModel.getSampleSize(0);
        int space = cm.getColorSpace().getType();
        if (space == ColorSpace.TYPE_GRAY) {
            if (bands == 2) {
                return PixelType.GREY_ALPHA;
            }
            return bits > 8 ? PixelType.GREY16 : PixelType.GREY8;
        }
        if (space == ColorSpace.TYPE_RGB) {
            return bands >= 4 ? PixelType.RGBA : PixelType.RGB;
        }
        return PixelType.OTHER;
    }

    static GreyImage toGrey(BufferedImage image, PixelType type) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h];
        Raster raster = image.getRaster();
        if ((type == PixelType.GREY8 || type == PixelType.RGB || type == PixelType.RGBA) && fromBytes(raster, w, h, out)) {
            return new GreyImage(w, h, out);
        }
        switch (type) {
            case GREY8, GREY16, GREY_ALPHA -> copyBand(raster, w, h, out);
            case RGB, RGBA -> lumaFromBands(raster, w, h, out);
            default -> lumaFromArgb(image, w, h, out);
        }
        return new GreyImage(w, h, out);
    }

    /**
     * The common case (8-bit samples interleaved in one byte array, as the PNG and JPEG readers produce) read straight
     * from the array: the same values as the {@code getSamples} path, without a virtual call per sample. False when
     * the raster is laid out otherwise; the caller then takes the general path.
     */
    private static boolean fromBytes(Raster raster, int w, int h, byte[] out) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return false;
        }
        for (int bits : model.getSampleSize()) {
            if (bits != 8) {
                return false;
            }
        }
        byte[] data = buffer.getData();
        int stride = model.getPixelStride();
        int scanline = model.getScanlineStride();
        int[] offsets = model.getBandOffsets();
        int base = buffer.getOffset();
        for (int y = 0; y < h; y++) {
            int row = base + y * scanline;
            int o = y * w;
            if (raster.getNumBands() < 3) {
                for (int x = 0, i = row + offsets[0]; x < w; x++, i += stride) {
                    out[o + x] = data[i];
                }
            } else {
                for (int x = 0, i = row; x < w; x++, i += stride) {
                    out[o + x] = (byte) luma(data[i + offsets[0]] & 0xFF, data[i + offsets[1]] & 0xFF,
                            data[i + offsets[2]] & 0xFF);
                }
            }
        }
        return true;
    }

    private static void copyBand(Raster raster, int w, int h, byte[] out) {
        int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                out[y * w + x] = (byte) scale(row[x], max);
            }
        }
    }

    private static void lumaFromBands(Raster raster, int w, int h, byte[] out) {
        int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        int[] r = new int[w];
        int[] g = new int[w];
        int[] b = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, r);
            raster.getSamples(0, y, w, 1, 1, g);
            raster.getSamples(0, y, w, 1, 2, b);
            for (int x = 0; x < w; x++) {
                out[y * w + x] = (byte) luma(scale(r[x], max), scale(g[x], max), scale(b[x], max));
            }
        }
    }

    private static void lumaFromArgb(BufferedImage image, int w, int h, byte[] out) {
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                out[y * w + x] = (byte) luma((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
            }
        }
    }

    private static int scale(int sample, int max) {
        return max == 255 ? sample : (int) ((sample * 255L + max / 2) / max);
    }

    static int luma(int r, int g, int b) {
        return (r * 299 + g * 587 + b * 114 + 500) / 1000;
    }
}
