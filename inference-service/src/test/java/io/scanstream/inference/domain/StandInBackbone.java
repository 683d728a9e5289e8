package io.scanstream.inference.domain;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.backbone.FeatureExtractor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A backbone for the domain's tests: its features come from a function; it records each call as
 * {@code images@padTo}, and whether it was warmed up and closed.
 */
final class StandInBackbone implements FeatureExtractor {

    final List<String> calls = new ArrayList<>();
    boolean warmedUp;
    boolean closed;
    private final String id;
    private final int dim;
    private final boolean pretrained;
    private final Function<List<GreyImage>, float[][]> features;

    StandInBackbone(String id, int dim, boolean pretrained, Function<List<GreyImage>, float[][]> features) {
        this.id = id;
        this.dim = dim;
        this.pretrained = pretrained;
        this.features = features;
    }

    @Override
    public String backboneId() {
        return id;
    }

    @Override
    public boolean pretrained() {
        return pretrained;
    }

    @Override
    public int featureDim() {
        return dim;
    }

    @Override
    public String engine() {
        return "stub";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public float[][] embed(List<GreyImage> images, int padTo) {
        calls.add(images.size() + "@" + padTo);
        return features.apply(images);
    }

    @Override
    public void close() {
        closed = true;
    }
}
