package io.scanstream.training.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The training set as runs and the API read it: the labelled scans, with the embeddings of a backbone where they
 * are known. Labels never depend on the backbone: a new backbone finds every label and the embeddings it still
 * lacks are computed by the run ({@code EmbeddedScans}).
 */
public interface TrainingSet {

    /** What {@code GET /training/set} shows; the embeddings figure is an estimate over all backbones. */
    record Summary(String state, long labelled, long covid, long nonCovid, long patients, long origins,
                   long embeddingsApproximate) {
    }

    /**
     * @param backboneId the backbone whose embeddings it holds
     * @param labelled   every labelled scan, by scan id
     * @param embeddings the backbone's embeddings of those that have one (yet), by scan id
     */
    record Snapshot(String backboneId, List<LabelledScan> labelled, Map<String, float[]> embeddings) {

        public Snapshot {
            labelled = List.copyOf(labelled);
            embeddings = Map.copyOf(embeddings);
        }

        /** Labelled scans with an embedding of the backbone. */
        public List<TrainingExample> rows() {
            return labelled.stream().filter(s -> embeddings.containsKey(s.scanId()))
                    .map(s -> s.withEmbedding(backboneId, embeddings.get(s.scanId()))).toList();
        }

        /** Labelled scans without one. */
        public List<LabelledScan> unembedded() {
            return labelled.stream().filter(s -> !embeddings.containsKey(s.scanId())).toList();
        }

        public int size() {
            return labelled.size();
        }
    }

    /** Every labelled scan, with the embeddings of {@code backboneId}, waiting up to {@code wait} for the stores. */
    Snapshot snapshot(String backboneId, Duration wait);

    Summary summary(Duration wait);

    /** A cheap estimate of the number of labelled scans, or -1 while the set cannot be read. */
    long approximateSize();

    /** Whether runs can read the set now, and the state in words. */
    boolean ready();

    String state();
}
