package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;

import java.util.List;

/**
 * A frozen backbone turning preprocessed grey scans into feature vectors (the embeddings inference publishes and
 * the head consumes). Implementations own native resources: close them. Not thread-safe: inference calls it from
 * its one batching thread; anything else must confine it to one thread or synchronise.
 */
public interface FeatureExtractor extends AutoCloseable {

    /**
     * What produced the features: architecture id ({@code +ms} for the multi-scale readout), ':' and the first 12
     * hex digits of the sha256 of the weights as the Java-built block holds them, or {@code :random} for a random
     * initialisation, e.g. {@code mobilenet_v2:f1d9b2c993d3} ({@link FeatureExtractors#backboneId(BackboneSpec)}).
     * The same weights give the same id in every file format and on every engine. A head trained on one backbone
     * id is refused by another.
     */
    String backboneId();

    /** Whether weights were loaded (false: seeded random initialisation). */
    boolean pretrained();

    int featureDim();

    /** {@code pytorch} or {@code onnxruntime} ({@link BackboneEngine}): not part of the id, the features agree. */
    String engine();

    /** {@code cpu} or {@code gpu}. */
    String device();

    /**
     * Features of each image, in order.
     *
     * @param images 1 to {@code padTo} images of one size (224x224 for ImageNet backbones)
     * @param padTo  the batch size the backbone runs at; the batcher passes its bucket size so that the backbone
     *               sees a few fixed shapes only. Padding rows do not change the real rows' features.
     * @return {@code images.size()} rows of {@link #featureDim()} floats
     */
    float[][] embed(List<GreyImage> images, int padTo);

    @Override
    void close();
}
