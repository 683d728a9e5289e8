package io.scanstream.core.synthetic;

import io.scanstream.core.imaging.GreyImage;

import java.util.Objects;

/**
 * A phantom with the ground truth of where its lesions are ({@link SyntheticCtGenerator#renderWithLesions}).
 *
 * @param image      the phantom, exactly as {@link SyntheticCtGenerator#render} draws it
 * @param lesionMask row-major, {@code width * height} flags: true where a ground-glass opacity was drawn
 */
public record LesionPhantom(GreyImage image, boolean[] lesionMask) {

    public LesionPhantom {
        Objects.requireNonNull(image, "image");
        if (lesionMask.length != image.width() * image.height()) {
            throw new IllegalArgumentException("mask of " + lesionMask.length + " pixels for a " + image.width() + "x"
                    + image.height() + " image");
        }
    }

    public boolean lesionAt(int x, int y) {
        return lesionMask[y * image.width() + x];
    }

    /** The fraction of the image's pixels inside the mask: what a saliency map spread evenly would put there. */
    public double lesionFraction() {
        int inside = 0;
        for (boolean lesion : lesionMask) {
            inside += lesion ? 1 : 0;
        }
        return (double) inside / lesionMask.length;
    }
}
