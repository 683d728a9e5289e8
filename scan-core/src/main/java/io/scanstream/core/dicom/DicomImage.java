package io.scanstream.core.dicom;

/**
 * The decoded pixels of a DICOM instance: one raw sample bit pattern per pixel (unsigned, at most 16 bits,
 * masked to Bits Stored), row-major, with the description that says how to read them.
 */
public record DicomImage(PixelModule module, short[] samples) {

    public DicomImage {
        if (samples.length != module.pixels()) {
            throw new IllegalArgumentException("expected " + module.pixels() + " samples, got " + samples.length);
        }
    }

    /** The stored value at (x, y), sign-extended when the representation is signed. */
    public int storedValue(int x, int y) {
        return module.storedValue(samples[y * module.columns() + x] & 0xFFFF);
    }

    /** The modality value at (x, y): Hounsfield units for CT (Rescale Slope and Intercept applied). */
    public double modalityValue(int x, int y) {
        return module.modalityValue(storedValue(x, y));
    }

    @Override
    public String toString() {
        return "DicomImage[" + module.columns() + "x" + module.rows() + "]";
    }
}
