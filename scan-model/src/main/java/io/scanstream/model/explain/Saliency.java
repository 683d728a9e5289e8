package io.scanstream.model.explain;

/**
 * A Grad-CAM map of one image: the grid of the explained layer (7x7 for MobileNetV2 at 224x224), row-major, ReLU'd
 * and divided by its maximum (all zeros when nothing speaks for the class), and the network's P(COVID) for the image.
 *
 * @param gridWidth   columns of the explained layer's activation
 * @param gridHeight  rows
 * @param cam         {@code gridHeight * gridWidth} values in [0, 1], row-major
 * @param probability P(COVID), as the serving path computes it for the same weights
 */
public record Saliency(int gridWidth, int gridHeight, float[] cam, double probability) {

    public Saliency {
        if (cam.length != gridWidth * gridHeight) {
            throw new IllegalArgumentException("cam of " + cam.length + " values for a " + gridWidth + "x" + gridHeight
                    + " grid");
        }
    }

    public float at(int column, int row) {
        return cam[row * gridWidth + column];
    }
}
