package io.scanstream.core.imaging;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Image formats as recognised from their magic bytes. The content-type and the file name are never trusted:
 * the real data set has JPEGs named {@code .png}.
 */
public enum ImageFormat {
    PNG("image/png", true),
    JPEG("image/jpeg", true),
    GIF("image/gif", false),
    BMP("image/bmp", false),
    TIFF("image/tiff", false),
    WEBP("image/webp", false),
    DICOM("application/dicom", true),
    UNKNOWN("application/octet-stream", false);

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final String mediaType;
    private final boolean supported;

    ImageFormat(String mediaType, boolean supported) {
        this.mediaType = mediaType;
        this.supported = supported;
    }

    public String mediaType() {
        return mediaType;
    }

    /** Whether ingest decodes this format (PNG, JPEG and DICOM Part 10). */
    public boolean supported() {
        return supported;
    }

    /** The format the bytes are, from their signature alone. */
    public static ImageFormat sniff(byte[] bytes) {
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return PNG;
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
            return GIF;
        }
        if (startsWith(bytes, 0, ascii("BM")) && bytes.length >= 14) {
            return BMP;
        }
        if (startsWith(bytes, 0, new byte[] {'I', 'I', 42, 0}) || startsWith(bytes, 0, new byte[] {'M', 'M', 0, 42})) {
            return TIFF;
        }
        if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
            return WEBP;
        }
        if (startsWith(bytes, 128, ascii("DICM"))) {
            return DICOM;
        }
        return UNKNOWN;
    }

    /** The format a media type names, ignoring parameters and case ({@code image/jpg} is accepted for JPEG). */
    public static Optional<ImageFormat> fromMediaType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (base.equals("image/jpg") || base.equals("image/pjpeg")) {
            return Optional.of(JPEG);
        }
        for (ImageFormat format : values()) {
            if (format != UNKNOWN && format.mediaType.equals(base)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (bytes.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
