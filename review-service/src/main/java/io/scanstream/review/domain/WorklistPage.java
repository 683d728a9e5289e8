package io.scanstream.review.domain;

import java.util.List;

/** One page of the worklist and how many rows matched in all. */
public record WorklistPage(List<ScanRow> rows, int matched, WorklistQuery query) {

    public int pages() {
        return Math.max(1, (matched + query.size() - 1) / query.size());
    }

    public boolean hasNext() {
        return (long) (query.page() + 1) * query.size() < matched;
    }

    public boolean hasPrevious() {
        return query.page() > 0;
    }
}
