package io.scanstream.core.imaging;

/**
 * What the decoder accepts before it allocates pixels. The defaults leave ample room above the real data
 * (largest slice 1671x1225, a few MB) while refusing decompression bombs.
 *
 * @param maxBytes  largest encoded payload
 * @param maxWidth  widest declared image
 * @param maxHeight tallest declared image
 * @param maxPixels most declared pixels (width x height)
 */
public record DecodeLimits(long maxBytes, int maxWidth, int maxHeight, long maxPixels) {

    /** 20 MiB: the largest real slices are a few MB. Kafka's message limits for raw scans derive from it. */
    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final int DEFAULT_MAX_SIDE = 8192;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    /** The one home of the defaults: ingest's configuration and the offline evaluation start from these. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_SIDE, DEFAULT_MAX_SIDE,
            DEFAULT_MAX_PIXELS);

    public DecodeLimits {
        if (maxBytes < 1 || maxWidth < 1 || maxHeight < 1 || maxPixels < 1) {
            throw new IllegalArgumentException("decode limits must be positive");
        }
    }
}
