package io.scanstream.training.domain;

import java.util.List;

/** Where embeddings a run computed go, so that the next run finds them (scans.embeddings, with their backbone). */
@FunctionalInterface
public interface EmbeddingSink {

    /** An embedding of a labelled scan, computed by training. */
    record Computed(LabelledScan scan, float[] vector) {
    }

    void publish(String backboneId, List<Computed> embeddings);
}
