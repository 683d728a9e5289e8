package io.scanstream.core.dicom;

import io.scanstream.core.imaging.GreyImage;

/**
 * Decoded DICOM pixels to the 8-bit grey every scan becomes: stored values → modality values (Hounsfield units,
 * with Rescale Slope and Intercept) → a window → grey, inverted for MONOCHROME1 so that air is always dark. This is
 * the one place the step happens, shared by ingest (serving) and training, like the rest of preprocessing.
 *
 * <p>Which window: the configured one (the lung window by default); or, with {@code preferFileWindow}, the file's
 * own first Window Center/Width when it has a usable one. An instance without Rescale Slope/Intercept (Secondary
 * Capture, 8-bit exports) holds display values rather than Hounsfield units: 8-bit values are then taken as
 * grey unchanged, as the same slice in a PNG would be, and deeper values are scaled over their bit range unless the
 * file gives a window.
 *
 * @param window           the window for Hounsfield units
 * @param preferFileWindow use the file's Window Center/Width when present
 */
public record DicomWindowing(HounsfieldWindow window, boolean preferFileWindow) {

    public static final DicomWindowing DEFAULT = new DicomWindowing(HounsfieldWindow.LUNG, false);

    public DicomWindowing {
        java.util.Objects.requireNonNull(window, "window");
    }

    public GreyImage render(DicomImage image) {
        PixelModule m = image.module();
        byte[] lut = lookupTable(m);
        short[] samples = image.samples();
        byte[] out = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = lut[samples[i] & 0xFFFF];
        }
        return new GreyImage(m.columns(), m.rows(), out);
    }

    /** The window this instance is rendered with, or null for display values taken as they are. */
    HounsfieldWindow windowFor(PixelModule m) {
        HounsfieldWindow own = fileWindow(m);
        if (m.hasRescale()) {
            return preferFileWindow && own != null ? own : window;
        }
        return own;
    }

    /** Grey level per raw sample pattern (at most 2^16 entries): one multiply-add and window per pattern. */
    byte[] lookupTable(PixelModule m) {
        int size = 1 << m.bitsStored();
        byte[] lut = new byte[size];
        HounsfieldWindow chosen = windowFor(m);
        int min = m.signed() ? -(size / 2) : 0;
        int max = m.signed() ? size / 2 - 1 : size - 1;
        for (int pattern = 0; pattern < size; pattern++) {
            int stored = m.storedValue(pattern);
            int grey;
            if (chosen != null) {
                grey = chosen.grey(m.modalityValue(stored));
            } else if (m.bitsStored() == 8 && !m.signed()) {
                grey = stored;
            } else {
                grey = (int) (((long) (stored - min) * 255 + (max - min) / 2) / (max - min));
            }
            lut[pattern] = (byte) (m.inverted() ? 255 - grey : grey);
        }
        return lut;
    }

    private static HounsfieldWindow fileWindow(PixelModule m) {
        if (m.windowCenter().isPresent() && m.windowWidth().isPresent() && m.windowWidth().getAsDouble() >= 1) {
            return new HounsfieldWindow(m.windowCenter().getAsDouble(), m.windowWidth().getAsDouble());
        }
        return null;
    }
}
