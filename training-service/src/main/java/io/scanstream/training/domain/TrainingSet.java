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
     * @param backboneId    the backbone whose embeddings it holds
     * @param labelled      the labelled scans it holds (all, or the newest of them under a cap), by scan id
     * @param embeddings    the backbone's embeddings of those that have one (yet), by scan id
     * @param labelledInSet how many labelled scans the training set has (more than {@code labelled} under a cap)
     */
    record Snapshot(String backboneId, List<LabelledScan> labelled, Map<String, float[]> embeddings,
                    long labelledInSet) {

        public Snapshot {
            labelled = List.copyOf(labelled);
            embeddings = Map.copyOf(embeddings);
            if (labelledInSet < labelled.size()) {
                throw new IllegalArgumentException("a snapshot of " + labelled.size() + " labelled scans of a set of "
                        + labelledInSet);
            }
        }

        /** The whole training set. */
        public Snapshot(String backboneId, List<LabelledScan> labelled, Map<String, float[]> embeddings) {
            this(backboneId, labelled, embeddings, labelled.size());
        }

        /** Labelled scans of the set that a cap left out (the oldest). */
        public long leftOut() {
            return labelledInSet - labelled.size();
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
    default Snapshot snapshot(String backboneId, Duration wait) {
        return snapshot(backboneId, Integer.MAX_VALUE, wait);
    }

    /**
     * The newest {@code maxLabelled} labelled scans (by {@code labelledAt}, then scan id), with the embeddings of
     * {@code backboneId}: what a run trains on. Heap is bounded by the cap, not by the set: the labels are streamed
     * through a heap of {@code maxLabelled}, and only the kept scans' facts and embeddings are read.
     */
    Snapshot snapshot(String backboneId, int maxLabelled, Duration wait);

    Summary summary(Duration wait);

    /** A cheap estimate of the number of labelled scans, or -1 while the set cannot be read. */
    long approximateSize();

    /** Whether runs can read the set now, and the state in words. */
    boolean ready();

    String state();
}
