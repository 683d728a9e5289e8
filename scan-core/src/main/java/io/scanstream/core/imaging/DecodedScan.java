package io.scanstream.core.imaging;

/** A scan decoded to full-resolution 8-bit grey, with what it was before conversion. */
public record DecodedScan(GreyImage image, ImageFormat format, PixelType sourcePixelType) {
}
