package io.scanstream.core.imaging;

/** The pixel layout a scan arrived in; all are converted to 8-bit grey. */
public enum PixelType {
    GREY8,
    GREY16,
    GREY_ALPHA,
    RGB,
    RGBA,
    PALETTE,
    OTHER
}
