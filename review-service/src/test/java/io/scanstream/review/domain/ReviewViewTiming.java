package io.scanstream.review.domain;

import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanPrediction;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * How long worklist queries take over a full view of 100 000 scans, and the view's heap: a timing loop, not a test
 * (surefire does not run it; the unit test asserts behaviour only). Numbers and the command: docs/review.md.
 */
public final class ReviewViewTiming {

    private ReviewViewTiming() {
    }

    public static void main(String[] args) {
        OffsetDateTime t0 = OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.UTC);
        ReviewView view = new ReviewView(100_000);
        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            double p = (i * 7919 % 1000) / 1000.0;
            view.predicted(new ScanPrediction("s" + i, PredictedLabel.of(p, 0.5), p, 0.5, i % 2 == 0 ? "v1" : "v2",
                    "mobilenet_v2:abc", t0.plusSeconds(i), t0.plusSeconds(i + 1)));
            view.preprocessed("s" + i, "/devices/ct-" + (i % 5), new ImageLocation(i % 3, i));
        }
        System.out.printf("fill 100000 scans: %.0f ms%n", (System.nanoTime() - start) / 1e6);
        WorklistQuery[] queries = {WorklistQuery.all(),
                WorklistQuery.parse(null, null, null, null, null, null, "uncertain", null, null),
                WorklistQuery.parse(null, "0.4", "0.6", "v2", "/devices/ct-3", "no", "uncertain", "3", "50")};
        String[] names = {"newest first, no filter", "uncertain first, no filter", "uncertain first, 4 filters"};
        for (int q = 0; q < queries.length; q++) {
            for (int warm = 0; warm < 20; warm++) {
                view.query(queries[q]);
            }
            long best = Long.MAX_VALUE;
            long sum = 0;
            int runs = 50;
            for (int r = 0; r < runs; r++) {
                long begin = System.nanoTime();
                view.query(queries[q]);
                long took = System.nanoTime() - begin;
                sum += took;
                best = Math.min(best, took);
            }
            System.out.printf("%s: mean %.1f ms, best %.1f ms%n", names[q], sum / 1e6 / runs, best / 1e6);
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf("heap in use with the full view: %d MB (%d scans)%n",
                (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024), view.size());
    }
}
