package io.scanstream.core.dicom;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * JPEG baseline (process 1, 8-bit) pixel data, decoded by the JDK's JPEG reader, as ingest decodes JPEG scans:
 * the frame header is checked against the DICOM header first, and any decoder warning counts as damage.
 */
final class JpegBaselineDecoder {

    private JpegBaselineDecoder() {
    }

    static short[] decode(byte[] jpeg, PixelModule module) {
        if (module.bitsAllocated() != 8) {
            throw DicomRefusal.corrupt("JPEG baseline pixel data with " + module.bitsAllocated()
                    + " bits allocated; baseline is 8-bit");
        }
        checkFrameHeader(jpeg, module);
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        if (!readers.hasNext()) {
            throw new IllegalStateException("no JPEG reader in this JVM");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            if (!warnings.isEmpty()) {
                throw DicomRefusal.corrupt("JPEG baseline decoder: " + warnings.get(0));
            }
            Raster raster = image.getRaster();
            if (raster.getNumBands() != 1 || image.getWidth() != module.columns() || image.getHeight() != module.rows()) {
                throw DicomRefusal.corrupt("JPEG baseline decoded to " + raster.getNumBands() + " bands of "
                        + image.getWidth() + "x" + image.getHeight() + "; one band of " + module.columns() + "x"
                        + module.rows() + " expected");
            }
            int width = module.columns();
            short[] out = new short[(int) module.pixels()];
            int[] row = new int[width];
            for (int y = 0; y < module.rows(); y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    out[y * width + x] = (short) row[x];
                }
            }
            return out;
        } catch (IIOException e) {
            throw DicomRefusal.corrupt("JPEG baseline pixel data does not decode: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (e instanceof DicomRefusal refusal) {
                throw refusal;
            }
            throw DicomRefusal.corrupt("JPEG baseline pixel data does not decode: " + e);
        } finally {
            reader.dispose();
        }
    }

    /** Dimensions and components from the SOF segment, before the decoder allocates anything. */
    private static void checkFrameHeader(byte[] b, PixelModule module) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            throw DicomRefusal.corrupt("JPEG baseline pixel data does not start with a JPEG SOI marker");
        }
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                throw DicomRefusal.corrupt("JPEG baseline stream is damaged before its frame header");
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            int length = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
            if (marker == 0xC0 || marker == 0xC1) {
                if (i + 10 > b.length) {
                    break;
                }
                int height = (b[i + 5] & 0xFF) << 8 | (b[i + 6] & 0xFF);
                int width = (b[i + 7] & 0xFF) << 8 | (b[i + 8] & 0xFF);
                int components = b[i + 9] & 0xFF;
                if (components != 1) {
                    throw DicomRefusal.corrupt("JPEG baseline frame with " + components + " components in a "
                            + "monochrome instance");
                }
                if (width != module.columns() || height != module.rows()) {
                    throw DicomRefusal.corrupt("JPEG frame of " + width + "x" + height + " in an instance of "
                            + module.columns() + "x" + module.rows() + " (inconsistent lengths)");
                }
                return;
            }
            if (marker >= 0xC2 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                throw DicomRefusal.unsupported("JPEG frame type SOF" + (marker - 0xC0) + " in a JPEG baseline "
                        + "transfer syntax");
            }
            if (marker == 0xDA || marker == 0xD9 || length < 2) {
                break;
            }
            i += 2 + length;
        }
        throw DicomRefusal.corrupt("JPEG baseline stream has no frame header");
    }
}
