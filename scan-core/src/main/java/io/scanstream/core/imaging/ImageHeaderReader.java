package io.scanstream.core.imaging;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Reads the declared dimensions from PNG and JPEG headers without decoding pixels, so that decompression
 * bombs (a few KB declaring 100000x100000) are refused before a decoder allocates anything.
 */
final class ImageHeaderReader {

    private ImageHeaderReader() {
    }

    /** @return the header, or throws {@link ScanRejectedException} when the header is absent or damaged */
    static ImageHeader read(ImageFormat format, byte[] bytes) {
        return switch (format) {
            case PNG -> readPng(bytes);
            case JPEG -> readJpeg(bytes);
            default -> throw new IllegalArgumentException("no header reader for " + format);
        };
    }

    private static ImageHeader readPng(byte[] b) {
        // signature(8) + chunk length(4) + "IHDR"(4) + width(4) + height(4) ...
        if (b.length < 33) {
            throw corrupt("PNG truncated inside its header (" + b.length + " bytes)");
        }
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw corrupt("PNG does not start with an IHDR chunk");
        }
        long width = uint32(b, 16);
        long height = uint32(b, 20);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw corrupt("PNG header declares invalid dimensions " + width + "x" + height);
        }
        return new ImageHeader(ImageFormat.PNG, (int) width, (int) height);
    }

    /**
     * Walks the PNG chunk list: every chunk inside the payload, every CRC right, IEND present. ImageIO checks
     * none of this, and decodes a PNG cut inside its last chunk as if it were whole.
     */
    static void verifyPngChunks(byte[] b) {
        CRC32 crc = new CRC32();
        int i = 8;
        while (i + 8 <= b.length) {
            long length = uint32(b, i);
            String type = new String(b, i + 4, 4, StandardCharsets.US_ASCII);
            if (length > b.length - (long) i - 12) {
                throw corrupt("PNG truncated inside its " + type + " chunk");
            }
            crc.reset();
            crc.update(b, i + 4, 4 + (int) length);
            if (crc.getValue() != uint32(b, i + 8 + (int) length)) {
                throw corrupt("PNG chunk " + type + " fails its CRC check (damaged data)");
            }
            if (type.equals("IEND")) {
                return;
            }
            i += 12 + (int) length;
        }
        throw corrupt("PNG truncated: ends without an IEND chunk");
    }

    private static ImageHeader readJpeg(byte[] b) {
        int i = 2; // after SOI
        while (true) {
            // Markers start with 0xFF, possibly padded with more 0xFF fill bytes.
            while (i < b.length && (b[i] & 0xFF) != 0xFF) {
                i++;
            }
            while (i < b.length && (b[i] & 0xFF) == 0xFF) {
                i++;
            }
            if (i >= b.length) {
                throw corrupt("JPEG ends before its frame header (SOF)");
            }
            int marker = b[i++] & 0xFF;
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a length
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw corrupt("JPEG has no frame header (SOF) before " + (marker == 0xD9 ? "EOI" : "scan data"));
            }
            if (i + 2 > b.length) {
                throw corrupt("JPEG truncated inside a marker segment");
            }
            int length = ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            if (length < 2) {
                throw corrupt("JPEG marker segment with invalid length " + length);
            }
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 7 > b.length) {
                    throw corrupt("JPEG truncated inside its frame header");
                }
                int height = ((b[i + 3] & 0xFF) << 8) | (b[i + 4] & 0xFF);
                int width = ((b[i + 5] & 0xFF) << 8) | (b[i + 6] & 0xFF);
                if (width == 0 || height == 0) {
                    throw corrupt("JPEG frame header declares invalid dimensions " + width + "x" + height);
                }
                return new ImageHeader(ImageFormat.JPEG, width, height);
            }
            i += length;
        }
    }

    private static long uint32(byte[] b, int offset) {
        return ((long) (b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16)
                | ((b[offset + 2] & 0xFF) << 8) | (b[offset + 3] & 0xFF);
    }

    private static ScanRejectedException corrupt(String detail) {
        return new ScanRejectedException(Rejection.of(RejectionReason.CORRUPT_IMAGE, detail));
    }
}
