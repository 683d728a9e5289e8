package io.scanstream.core.dicom;

/**
 * DICOM RLE lossless (PS3.5 Annex G): a 64-byte header of 15 segment offsets, then one PackBits segment per byte
 * plane, most significant plane first. Every offset and run is checked against the fragment; a segment that ends
 * before its plane is full is damage.
 */
final class RleDecoder {

    private RleDecoder() {
    }

    static short[] decode(byte[] frame, PixelModule module) {
        int planes = module.bitsAllocated() / 8;
        int pixels = (int) module.pixels();
        if (frame.length < 64) {
            throw DicomRefusal.corrupt("RLE frame of " + frame.length + " bytes is shorter than its 64-byte header");
        }
        long segments = u32(frame, 0);
        if (segments != planes) {
            throw DicomRefusal.corrupt("RLE header declares " + segments + " segments; " + planes
                    + " expected for one sample of " + module.bitsAllocated() + " bits");
        }
        short[] samples = new short[pixels];
        for (int plane = 0; plane < planes; plane++) {
            long start = u32(frame, 4 + plane * 4);
            long end = plane + 1 < planes ? u32(frame, 8 + plane * 4) : frame.length;
            if (start < 64 || start > end || end > frame.length) {
                throw DicomRefusal.corrupt("RLE segment " + (plane + 1) + " has offsets " + start + ".." + end
                        + " outside the " + frame.length + "-byte frame");
            }
            int shift = 8 * (planes - 1 - plane);
            unpack(frame, (int) start, (int) end, samples, shift, plane + 1);
        }
        return samples;
    }

    private static void unpack(byte[] in, int pos, int end, short[] out, int shift, int segment) {
        int filled = 0;
        while (filled < out.length) {
            if (pos >= end) {
                throw DicomRefusal.corrupt("RLE segment " + segment + " ends after " + filled + " of " + out.length
                        + " bytes (truncated)");
            }
            int n = in[pos++];
            if (n >= 0) {
                int count = n + 1;
                if (pos + count > end || filled + count > out.length) {
                    throw DicomRefusal.corrupt("RLE segment " + segment + " has a literal run past its end");
                }
                for (int i = 0; i < count; i++) {
                    out[filled++] |= (short) ((in[pos++] & 0xFF) << shift);
                }
            } else if (n != -128) {
                int count = 1 - n;
                if (pos >= end || filled + count > out.length) {
                    throw DicomRefusal.corrupt("RLE segment " + segment + " has a replicate run past its end");
                }
                short value = (short) ((in[pos++] & 0xFF) << shift);
                for (int i = 0; i < count; i++) {
                    out[filled++] |= value;
                }
            }
        }
        // Bytes left in the segment are padding to an even length; more than that would be a mismatch, but
        // encoders differ here and the plane is complete, so they are ignored.
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
