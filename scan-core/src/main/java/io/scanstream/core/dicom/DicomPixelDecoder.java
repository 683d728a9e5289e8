package io.scanstream.core.dicom;

/**
 * Decodes the pixel data of a read instance into raw samples: native 8/16-bit little endian, RLE lossless,
 * JPEG lossless (process 14) or JPEG baseline. The instance was checked by {@link DicomReader}: its dimensions
 * are within the limits, so the one allocation here (rows x columns samples) is bounded.
 */
public final class DicomPixelDecoder {

    private DicomPixelDecoder() {
    }

    public static DicomResult<DicomImage> decode(DicomInstance instance) {
        return DicomResult.of(() -> decodeOrRefuse(instance));
    }

    static DicomImage decodeOrRefuse(DicomInstance instance) {
        PixelModule module = instance.pixels();
        short[] samples = switch (instance.transferSyntax().encoding()) {
            case NATIVE -> nativeSamples((PixelData.Native) instance.pixelData(), module);
            case RLE -> RleDecoder.decode(frame(instance), module);
            case JPEG_LOSSLESS -> JpegLosslessDecoder.decode(frame(instance), module);
            case JPEG_BASELINE -> JpegBaselineDecoder.decode(frame(instance), module);
        };
        int mask = (1 << module.bitsStored()) - 1;
        if (mask != 0xFFFF) {
            for (int i = 0; i < samples.length; i++) {
                samples[i] = (short) (samples[i] & mask); // bits above the high bit may carry overlays
            }
        }
        return new DicomImage(module, samples);
    }

    private static byte[] frame(DicomInstance instance) {
        return ((PixelData.Encapsulated) instance.pixelData()).joined();
    }

    private static short[] nativeSamples(PixelData.Native data, PixelModule module) {
        int n = (int) module.pixels();
        short[] out = new short[n];
        byte[] b = data.buffer();
        int at = data.offset();
        if (module.bitsAllocated() == 8) {
            for (int i = 0; i < n; i++) {
                out[i] = (short) (b[at + i] & 0xFF);
            }
        } else {
            for (int i = 0; i < n; i++, at += 2) {
                out[i] = (short) ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8);
            }
        }
        return out;
    }
}
