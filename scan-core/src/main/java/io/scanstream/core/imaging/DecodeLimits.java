package io.scanstream.core.imaging;

/**
 * What the decoder accepts before it allocates pixels. The defaults leave ample room above the real data
 * (largest slice 1671x1225, a few MB) while refusing decompression bombs.
 *
 * @param maxBytes  largest encoded payload
 * @param maxWidth  widest declared image
 * @param maxHeight tallest declared image
 * @param maxPixels most declared pixels (width x height)
 * @param maxRasterBytes most bytes the decoded raster may take: width x height x bands x bytes per sample, as the
 *                  decoder's header says, checked before it allocates (a 16-bit RGBA image takes 8 bytes a pixel:
 *                  6324x6324 is within the pixel limit, but 320 MB)
 */
public record DecodeLimits(long maxBytes, int maxWidth, int maxHeight, long maxPixels, long maxRasterBytes) {

    /** 20 MiB: the largest real slices are a few MB. Kafka's message limits for raw scans derive from it. */
    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final int DEFAULT_MAX_SIDE = 8192;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /**
     * 64 MiB of decoded raster: the largest real slice (1671x1225) takes 16 MB even as 16-bit RGBA, and 8-bit grey
     * or RGB at the pixel limit's order of size passes; a decoder never holds more than this for one scan.
     */
    public static final long DEFAULT_MAX_RASTER_BYTES = 64L * 1024 * 1024;

    /** The one home of the defaults: ingest's configuration and the offline evaluation start from these. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_SIDE, DEFAULT_MAX_SIDE,
            DEFAULT_MAX_PIXELS, DEFAULT_MAX_RASTER_BYTES);

    /** With the default raster budget. */
    public DecodeLimits(long maxBytes, int maxWidth, int maxHeight, long maxPixels) {
        this(maxBytes, maxWidth, maxHeight, maxPixels, DEFAULT_MAX_RASTER_BYTES);
    }

    public DecodeLimits {
        if (maxBytes < 1 || maxWidth < 1 || maxHeight < 1 || maxPixels < 1 || maxRasterBytes < 1) {
            throw new IllegalArgumentException("decode limits must be positive");
        }
    }
}
