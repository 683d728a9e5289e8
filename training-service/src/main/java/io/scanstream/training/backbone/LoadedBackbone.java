package io.scanstream.training.backbone;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.training.domain.Backbone;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** A loaded backbone, one forward at a time (the extractor is not thread-safe); closed when another replaces it. */
final class LoadedBackbone implements Backbone, AutoCloseable {

    private final FeatureExtractor extractor;
    private final BackboneArchitecture architecture;
    private final BackboneRef reference;
    private final Optional<Path> weights;
    private final ScanSet trainedOn;
    private final Optional<OffsetDateTime> createdAt;
    private boolean closed;

    LoadedBackbone(FeatureExtractor extractor, BackboneArchitecture architecture, BackboneRef reference,
                   Optional<Path> weights, ScanSet trainedOn, OffsetDateTime createdAt) {
        this.createdAt = Optional.ofNullable(createdAt);
        this.extractor = extractor;
        this.architecture = architecture;
        this.reference = reference;
        this.weights = weights;
        this.trainedOn = trainedOn == null ? ScanSet.EMPTY : trainedOn;
    }

    @Override
    public String id() {
        return extractor.backboneId();
    }

    @Override
    public int featureDim() {
        return extractor.featureDim();
    }

    @Override
    public BackboneArchitecture architecture() {
        return architecture;
    }

    @Override
    public boolean pretrained() {
        return extractor.pretrained();
    }

    @Override
    public BackboneRef reference() {
        return reference;
    }

    @Override
    public Optional<Path> weights() {
        return weights;
    }

    @Override
    public ScanSet trainedOn() {
        return trainedOn;
    }

    @Override
    public Optional<OffsetDateTime> createdAt() {
        return createdAt;
    }

    @Override
    public synchronized float[] embed(GreyImage image) {
        if (closed) {
            throw new IllegalStateException("backbone " + id() + " closed: the service is stopping");
        }
        return extractor.embed(List.of(image), 1)[0];
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            extractor.close();
        }
    }
}
