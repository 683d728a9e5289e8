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

    /** 1-based, as people count pages. */
    public int number() {
        return query.page() + 1;
    }

    public int previous() {
        return Math.max(0, query.page() - 1);
    }

    public int next() {
        return query.page() + 1;
    }
}
