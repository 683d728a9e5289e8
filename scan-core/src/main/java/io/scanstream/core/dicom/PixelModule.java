package io.scanstream.core.dicom;

import java.util.OptionalDouble;

/**
 * What a DICOM instance says about its pixels (Image Pixel, CT Image and VOI LUT modules), checked by the reader:
 * one monochrome sample per pixel, 8 or 16 bits allocated, one frame.
 *
 * @param rows                  (0028,0010)
 * @param columns               (0028,0011)
 * @param photometric           (0028,0004) {@code MONOCHROME1} (minimum is white) or {@code MONOCHROME2}
 * @param bitsAllocated         (0028,0100) 8 or 16
 * @param bitsStored            (0028,0101) at most bitsAllocated; the high bit (0028,0102) is bitsStored - 1
 * @param signed                (0028,0103) pixel representation 1: two's complement
 * @param rescaleSlope          (0028,1053), 1 when absent
 * @param rescaleIntercept      (0028,1052), 0 when absent
 * @param hasRescale            whether the file declared a rescale: its values are then Hounsfield units
 * @param windowCenter          (0028,1050), the first value, if present
 * @param windowWidth           (0028,1051), the first value, if present
 */
public record PixelModule(int rows, int columns, String photometric, int bitsAllocated, int bitsStored,
                          boolean signed, double rescaleSlope, double rescaleIntercept, boolean hasRescale,
                          OptionalDouble windowCenter, OptionalDouble windowWidth) {

    public static final String MONOCHROME1 = "MONOCHROME1";
    public static final String MONOCHROME2 = "MONOCHROME2";

    public boolean inverted() {
        return MONOCHROME1.equals(photometric);
    }

    public long pixels() {
        return (long) rows * columns;
    }

    /** Bytes of native (uncompressed) pixel data for one frame. */
    public long nativeLength() {
        return pixels() * (bitsAllocated / 8);
    }

    /** The stored value of a raw sample bit pattern (sign-extended when the representation is signed). */
    public int storedValue(int pattern) {
        int masked = pattern & ((1 << bitsStored) - 1);
        if (signed && (masked & (1 << (bitsStored - 1))) != 0) {
            return masked - (1 << bitsStored);
        }
        return masked;
    }

    /** The modality value (Hounsfield units for CT) of a stored value. */
    public double modalityValue(int storedValue) {
        return storedValue * rescaleSlope + rescaleIntercept;
    }
}
