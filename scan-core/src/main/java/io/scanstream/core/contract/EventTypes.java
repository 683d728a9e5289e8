package io.scanstream.core.contract;

import java.net.URI;

/** CloudEvents {@code ce_type} values of contract v1, and the sources the services publish under. */
public final class EventTypes {

    public static final String SCAN_ARRIVED = "scanstream.scan.arrived.v1";
    public static final String SCAN_REJECTED = "scanstream.scan.rejected.v1";
    public static final String SCAN_PREPROCESSED = "scanstream.scan.preprocessed.v1";
    public static final String SCAN_EMBEDDED = "scanstream.scan.embedded.v1";
    public static final String SCAN_PREDICTED = "scanstream.scan.predicted.v1";
    public static final String SCAN_LABELLED = "scanstream.scan.labelled.v1";
    public static final String MODEL_PUBLISHED = "scanstream.model.published.v1";
    /** A version that says which backbone it runs on (a published one, or the bootstrap file). */
    public static final String MODEL_PUBLISHED_V2 = "scanstream.model.published.v2";
    public static final String BACKBONE_CHUNK = "scanstream.backbone.chunk.v1";
    public static final String BACKBONE_MANIFEST = "scanstream.backbone.manifest.v1";

    public static final URI INGEST_SOURCE = URI.create("/scanstream/ingest");
    public static final URI INFERENCE_SOURCE = URI.create("/scanstream/inference");
    public static final URI TRAINING_SOURCE = URI.create("/scanstream/training");

    private EventTypes() {
    }
}
