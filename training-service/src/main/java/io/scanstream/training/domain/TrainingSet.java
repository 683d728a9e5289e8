package io.scanstream.training.domain;

import java.time.Duration;
import java.util.List;

/** The training set as the runs and the API read it: every row, counts, readiness. */
public interface TrainingSet {

    /** What {@code GET /training/set} shows; the last two are estimates. */
    record Summary(String state, long examples, long covid, long nonCovid, long patients, long pendingLabels,
                   long unlabelledEmbeddingsApproximate, long pendingImagesApproximate) {
    }

    /** Every row, waiting up to {@code wait} for the set to be readable (after a restart or a rebalance). */
    List<TrainingExample> snapshot(Duration wait);

    Summary summary(Duration wait);

    /** A cheap estimate of the number of rows, or -1 while the set cannot be read. */
    long approximateSize();

    /** Whether runs can read the set now, and the state in words. */
    boolean ready();

    String state();
}
