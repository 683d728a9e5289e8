package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * A {@link FeatureExtractor} on ONNX Runtime (CPU): the backbone's ONNX graph — the weights file itself, or the
 * graph {@link OnnxExport} writes from the Java-built block — run by {@link OnnxRuntimeSession}. The input is
 * prepared in Java exactly as {@link InputTensors} prepares it for PyTorch (uint8 → /255 → ImageNet mean/std, grey
 * to three channels, zero pixels as padding rows), through one lookup table per channel.
 */
final class OnnxRuntimeFeatureExtractor implements FeatureExtractor {

    static final String ENGINE = "onnxruntime";

    private final OnnxRuntimeSession session;
    private final String backboneId;
    private final boolean pretrained;
    private final int featureDim;
    /** Per channel, the normalised value of each grey level. */
    private final float[][] normalised = new float[3][256];
    private FloatBuffer input;

    OnnxRuntimeFeatureExtractor(OnnxRuntimeSession session, String backboneId, boolean pretrained, int featureDim) {
        this.session = session;
        this.backboneId = backboneId;
        this.pretrained = pretrained;
        this.featureDim = featureDim;
        for (int channel = 0; channel < 3; channel++) {
            for (int grey = 0; grey < 256; grey++) {
                // the same float operations, in the same order, as InputTensors on PyTorch
                normalised[channel][grey] = ((float) grey / 255f - InputTensors.MEAN[channel]) / InputTensors.STD[channel];
            }
        }
    }

    @Override
    public String backboneId() {
        return backboneId;
    }

    @Override
    public boolean pretrained() {
        return pretrained;
    }

    @Override
    public int featureDim() {
        return featureDim;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    @Override
    public float[][] embed(List<GreyImage> images, int padTo) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        if (padTo < images.size()) {
            throw new IllegalArgumentException("batch of " + images.size() + " does not fit padTo=" + padTo);
        }
        int width = images.get(0).width();
        int height = images.get(0).height();
        FloatBuffer batch = fill(images, padTo, width, height);
        long[][] outputShape = new long[1][];
        float[] flat = session.run(batch, new long[] {padTo, 3, height, width}, outputShape);
        long[] shape = outputShape[0];
        if (shape.length != 2 || shape[0] != padTo || shape[1] != featureDim) {
            throw new IllegalStateException("backbone " + backboneId + " produced " + java.util.Arrays.toString(shape)
                    + ", expected [" + padTo + ", " + featureDim + "]");
        }
        float[][] rows = new float[images.size()][featureDim];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(flat, i * featureDim, rows[i], 0, featureDim);
        }
        return rows;
    }

    /** {@code [padTo, 3, H, W]} in a direct buffer reused across batches (ONNX Runtime reads it without a copy). */
    private FloatBuffer fill(List<GreyImage> images, int padTo, int width, int height) {
        int pixels = width * height;
        int floats = padTo * 3 * pixels;
        if (input == null || input.capacity() < floats) {
            input = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        FloatBuffer batch = input.duplicate();
        batch.clear().limit(floats);
        float[] plane = new float[pixels];
        for (int row = 0; row < padTo; row++) {
            byte[] grey = null;
            if (row < images.size()) {
                GreyImage image = images.get(row);
                if (image.width() != width || image.height() != height) {
                    throw new IllegalArgumentException("mixed image sizes in one batch: " + width + "x" + height
                            + " and " + image.width() + "x" + image.height());
                }
                grey = image.pixels();
            }
            for (int channel = 0; channel < 3; channel++) {
                float[] table = normalised[channel];
                if (grey == null) {
                    java.util.Arrays.fill(plane, table[0]);
                } else {
                    for (int p = 0; p < pixels; p++) {
                        plane[p] = table[grey[p] & 0xff];
                    }
                }
                batch.put(plane);
            }
        }
        return batch.flip();
    }

    @Override
    public void close() {
        session.close();
    }
}
