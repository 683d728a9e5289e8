package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scanstream.core.imaging.GreyImage;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns a batch of preprocessed grey scans into the backbone's input, on the manager's device: uint8 → /255 →
 * grey replicated to 3 channels → ImageNet mean/std → {@code [padTo, 3, H, W]}. Only the raw bytes cross from
 * Java to the device (a quarter of the float tensor); the arithmetic runs where the backbone runs. Rows beyond the
 * real images are zero pixels, so that the backbone sees one of a few fixed shapes (libtorch re-optimises on every
 * new shape, DJL issue 901).
 */
public final class InputTensors {

    /** ImageNet statistics of torchvision's pretrained weights, per RGB channel. */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private InputTensors() {
    }

    /**
     * @param manager owns every array made here, the intermediates included: use a short-lived sub-manager
     * @param images  1 to {@code padTo} images, all of one size
     * @param padTo   the batch dimension of the result
     */
    public static NDArray normalisedBatch(NDManager manager, List<GreyImage> images, int padTo) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        if (padTo < images.size()) {
            throw new IllegalArgumentException("batch of " + images.size() + " does not fit padTo=" + padTo);
        }
        int width = images.get(0).width();
        int height = images.get(0).height();
        int pixels = width * height;
        ByteBuffer bytes = ByteBuffer.allocateDirect(padTo * pixels);
        for (GreyImage image : images) {
            if (image.width() != width || image.height() != height) {
                throw new IllegalArgumentException("mixed image sizes in one batch: " + width + "x" + height
                        + " and " + image.width() + "x" + image.height());
            }
            bytes.put(image.pixels());
        }
        bytes.rewind();
        NDArray grey = manager.create(bytes, new Shape(padTo, 1, height, width), DataType.UINT8)
                .toType(DataType.FLOAT32, false)
                .div(255f);
        NDArray mean = manager.create(MEAN, new Shape(1, 3, 1, 1));
        NDArray std = manager.create(STD, new Shape(1, 3, 1, 1));
        return grey.broadcast(new Shape(padTo, 3, height, width)).sub(mean).div(std);
    }
}
