package io.scanstream.core.imaging;

/** What a PNG or JPEG header declares, read before any pixel is decoded. */
public record ImageHeader(ImageFormat format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }
}
