package io.scanstream.core.dicom;

/**
 * A linear VOI window (DICOM PS3.3 C.11.2.1.2.1): values at or below {@code center - 0.5 - (width - 1) / 2} are
 * black, values above {@code center - 0.5 + (width - 1) / 2} white, linear in between, rounded to 8 bits.
 *
 * @param center the window level, in Hounsfield units for CT
 * @param width  the window width, at least 1
 */
public record HounsfieldWindow(double center, double width) {

    /** The lung window: level -600 HU, width 1500 HU (air black, soft tissue and bone white). */
    public static final HounsfieldWindow LUNG = new HounsfieldWindow(-600, 1500);

    public HounsfieldWindow {
        if (!(width >= 1) || !Double.isFinite(width) || !Double.isFinite(center)) {
            throw new IllegalArgumentException("a window needs a finite center and a width of at least 1: "
                    + center + "/" + width);
        }
    }

    /** The 8-bit grey level of a value. */
    public int grey(double value) {
        double low = center - 0.5 - (width - 1) / 2;
        double high = center - 0.5 + (width - 1) / 2;
        if (value <= low) {
            return 0;
        }
        if (value > high) {
            return 255;
        }
        return (int) Math.round(((value - (center - 0.5)) / (width - 1) + 0.5) * 255);
    }

    /**
     * The integer value closest to the middle of the range that {@link #grey} maps to {@code grey}: what a writer
     * stores so that a reader windowing with this window sees exactly {@code grey} again.
     */
    public int valueFor(int grey) {
        if (grey < 0 || grey > 255) {
            throw new IllegalArgumentException("grey level out of range: " + grey);
        }
        long guess = Math.round((grey / 255.0 - 0.5) * (width - 1) + center - 0.5);
        for (int d = 0; d <= width; d++) {
            for (long candidate : new long[] {guess - d, guess + d}) {
                if (grey(candidate) == grey) {
                    return (int) candidate;
                }
            }
        }
        throw new IllegalArgumentException("window " + this + " maps no integer value to grey " + grey);
    }
}
