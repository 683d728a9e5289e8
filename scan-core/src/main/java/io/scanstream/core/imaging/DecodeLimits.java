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

    public static final DecodeLimits DEFAULT = new DecodeLimits(20L * 1024 * 1024, 8192, 8192, 40_000_000L);

    public DecodeLimits {
        if (maxBytes < 1 || maxWidth < 1 || maxHeight < 1 || maxPixels < 1) {
            throw new IllegalArgumentException("decode limits must be positive");
        }
    }
}
