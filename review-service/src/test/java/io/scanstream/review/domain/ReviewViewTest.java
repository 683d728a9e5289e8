package io.scanstream.review.domain;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReviewViewTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.UTC);

    static ScanPrediction prediction(String id, double p, double threshold, String version, int minutes) {
        return new ScanPrediction(id, PredictedLabel.of(p, threshold), p, threshold, version, "mobilenet_v2:abc",
                T0.plusMinutes(minutes).minusSeconds(30), T0.plusMinutes(minutes));
    }

    private static List<String> ids(WorklistPage page) {
        return page.rows().stream().map(ScanRow::scanId).toList();
    }

    @Test
    void joinsPredictionDeviceImageAndLabelWhateverOrderTheyArriveIn() {
        ReviewView view = new ReviewView(10);
        view.labelled(new ScanLabel("a", ClinicalLabel.COVID, "dr-x", T0.plusHours(1)));
        view.preprocessed("a", "/devices/ct-1", new ImageLocation(2, 17));
        view.predicted(prediction("a", 0.9, 0.5, "v1", 1));
        view.predicted(prediction("b", 0.2, 0.5, "v1", 2));
        view.preprocessed("b", "/devices/ct-2", new ImageLocation(0, 3));

        ScanRow a = view.row("a").orElseThrow();
        assertThat(a.device()).isEqualTo("/devices/ct-1");
        assertThat(a.image()).isEqualTo(new ImageLocation(2, 17));
        assertThat(a.label()).isEqualTo(new RecordedLabel(ClinicalLabel.COVID, "dr-x", T0.plusHours(1)));
        ScanRow b = view.row("b").orElseThrow();
        assertThat(b.device()).isEqualTo("/devices/ct-2");
        assertThat(b.labelled()).isFalse();
        assertThat(view.row("unknown")).isEmpty();
    }

    @Test
    void theLatestLabelReadWinsAndARepredictionKeepsDeviceAndLabel() {
        ReviewView view = new ReviewView(10);
        view.predicted(prediction("a", 0.9, 0.5, "v1", 1));
        view.preprocessed("a", "/devices/ct-1", new ImageLocation(0, 1));
        view.labelled(new ScanLabel("a", ClinicalLabel.COVID, "dr-x", T0.plusHours(1)));
        view.labelled(new ScanLabel("a", ClinicalLabel.NON_COVID, "dr-y", T0.plusHours(2)));
        view.predicted(prediction("a", 0.1, 0.5, "v2", 5));

        ScanRow a = view.row("a").orElseThrow();
        assertThat(a.label().label()).isEqualTo(ClinicalLabel.NON_COVID);
        assertThat(a.label().labelledBy()).isEqualTo("dr-y");
        assertThat(a.modelVersion()).isEqualTo("v2");
        assertThat(a.device()).isEqualTo("/devices/ct-1");
        assertThat(view.size()).isEqualTo(1);
    }

    @Test
    void keepsOnlyTheNewestPredictionsUpToItsCapacity() {
        ReviewView view = new ReviewView(3);
        for (int i = 0; i < 5; i++) {
            view.predicted(prediction("s" + i, 0.5, 0.5, "v1", i));
        }
        assertThat(view.size()).isEqualTo(3);
        assertThat(view.evicted()).isEqualTo(2);
        assertThat(ids(view.query(WorklistQuery.all()))).containsExactly("s4", "s3", "s2");
        assertThat(view.row("s0")).isEmpty();
    }

    @Test
    void ordersNewestFirstOrClosestToTheVersionsThresholdFirst() {
        ReviewView view = new ReviewView(10);
        view.predicted(prediction("far", 0.99, 0.5, "v1", 1));
        view.predicted(prediction("near", 0.31, 0.3, "v2", 2));   // |0.31 - 0.3| = 0.01
        view.predicted(prediction("mid", 0.45, 0.5, "v1", 3));    // 0.05
        view.predicted(ScanPrediction.undetermined("none", "mobilenet_v2:abc", T0, T0.plusMinutes(4)));

        assertThat(ids(view.query(WorklistQuery.all()))).containsExactly("none", "mid", "near", "far");
        WorklistQuery uncertain = WorklistQuery.parse(null, null, null, null, null, null, "uncertain", null, null);
        assertThat(ids(view.query(uncertain))).containsExactly("near", "mid", "far", "none");
    }

    @Test
    void filtersByLabelBandVersionDeviceAndLabelled() {
        ReviewView view = new ReviewView(10);
        view.predicted(prediction("a", 0.9, 0.5, "v1", 1));
        view.predicted(prediction("b", 0.6, 0.5, "v2", 2));
        view.predicted(prediction("c", 0.2, 0.5, "v2", 3));
        view.preprocessed("a", "/devices/ct-1", new ImageLocation(0, 1));
        view.preprocessed("b", "/devices/ct-2", new ImageLocation(0, 2));
        view.labelled(new ScanLabel("b", ClinicalLabel.COVID, "dr", T0));

        assertThat(ids(view.query(WorklistQuery.parse("covid", null, null, null, null, null, null, null, null))))
                .containsExactly("b", "a");
        assertThat(ids(view.query(WorklistQuery.parse(null, "0.5", "0.8", null, null, null, null, null, null))))
                .containsExactly("b");
        assertThat(ids(view.query(WorklistQuery.parse(null, null, null, "v2", null, null, null, null, null))))
                .containsExactly("c", "b");
        assertThat(ids(view.query(WorklistQuery.parse(null, null, null, null, "/devices/ct-1", null, null, null, null))))
                .containsExactly("a");
        assertThat(ids(view.query(WorklistQuery.parse(null, null, null, null, null, "no", null, null, null))))
                .containsExactly("c", "a");
        assertThat(view.facets().modelVersions()).containsExactly("v2", "v1");
        assertThat(view.facets().devices()).containsExactly("/devices/ct-1", "/devices/ct-2");
    }

    @Test
    void pagesThroughTheMatchesAndFindsNeighbours() {
        ReviewView view = new ReviewView(100);
        for (int i = 0; i < 7; i++) {
            view.predicted(prediction("s" + i, 0.5, 0.5, "v1", i));
        }
        WorklistQuery q = WorklistQuery.parse(null, null, null, null, null, null, null, "1", "3");
        WorklistPage page = view.query(q);
        assertThat(ids(page)).containsExactly("s3", "s2", "s1");
        assertThat(page.matched()).isEqualTo(7);
        assertThat(page.pages()).isEqualTo(3);
        assertThat(page.hasNext()).isTrue();
        assertThat(page.hasPrevious()).isTrue();
        assertThat(ids(view.query(q.withPage(9)))).isEmpty();
        assertThat(view.neighbour(q, "s3", 1)).map(ScanRow::scanId).contains("s2");
        assertThat(view.neighbour(q, "s6", -1)).isEmpty();
    }

    /** Behaviour at the default bound; how long it takes is in docs/review.md, not asserted here. */
    @Test
    void answersFilteredOrderedPagesOverAHundredThousandScans() {
        ReviewView view = new ReviewView(100_000);
        for (int i = 0; i < 120_000; i++) {
            double p = (i * 7919 % 1000) / 1000.0;
            view.predicted(prediction("s" + i, p, 0.5, i % 2 == 0 ? "v1" : "v2", i));
            view.preprocessed("s" + i, "/devices/ct-" + (i % 5), new ImageLocation(i % 3, i));
        }
        assertThat(view.size()).isEqualTo(100_000);
        WorklistPage newest = view.query(WorklistQuery.all());
        assertThat(newest.matched()).isEqualTo(100_000);
        assertThat(newest.rows().get(0).scanId()).isEqualTo("s119999");

        WorklistQuery q = WorklistQuery.parse(null, "0.4", "0.6", "v2", "/devices/ct-3", "no", "uncertain", "0", "50");
        WorklistPage page = view.query(q);
        assertThat(page.rows()).hasSize(50).allSatisfy(row -> {
            assertThat(row.modelVersion()).isEqualTo("v2");
            assertThat(row.device()).isEqualTo("/devices/ct-3");
            assertThat(row.probability()).isBetween(0.4, 0.6);
        });
        assertThat(page.rows()).extracting(ScanRow::uncertainty).isSorted();
    }

    @Test
    void refusesANonPositiveCapacity() {
        assertThatThrownBy(() -> new ReviewView(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }
}
