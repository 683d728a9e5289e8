package io.scanstream.evaluation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The paired tables re-made from finetune-cv's per-fold lines: the figures of docs/benchmarks.md's screening. */
class FoldComparisonTest {

    /** Multi-scale AUC per fold of LP-FT (every layer) and of partial fine-tuning, as docs/benchmarks.md gives them. */
    private static final double[] LPFT = {0.760, 0.803, 0.834, 0.915, 0.843};
    private static final double[] PARTIAL = {0.768, 0.841, 0.881, 0.855, 0.851};

    @TempDir
    Path dir;

    @Test
    void pairsTheFoldsOfARunSplitOverTwoInvocationsWithTheBaseline() throws IOException {
        Path baseline = log("baseline.log", lines("lpft-e10", LPFT, 1, 2, 3, 4, 5));
        // screened on folds 1 and 5, then 2-4 in a second run; a log line's prefix and other lines are ignored
        Path screen = log("screen.log", lines("lpft-fb8", PARTIAL, 1, 5));
        Path rest = log("rest.log", lines("lpft-fb8", PARTIAL, 2, 3, 4));

        List<FoldComparison.Row> rows = FoldComparison.read(List.of(baseline, screen, rest))
                .compare(List.of("lpft-e10"), List.of("lpft-fb8"));

        assertThat(rows).extracting(FoldComparison.Row::variant).containsExactly("multi-scale");
        FoldComparison.Row row = rows.get(0);
        assertThat(row.folds()).containsExactly(1, 2, 3, 4, 5);
        assertThat(Statistics.mean(row.baselineAucs())).isCloseTo(0.831, within(5e-4));
        assertThat(Statistics.mean(row.candidateAucs())).isCloseTo(0.839, within(5e-4));
        assertThat(row.meanDifference()).isCloseTo(0.0082, within(1e-9));
        assertThat(row.differences()).containsExactly(new double[] {0.008, 0.038, 0.047, -0.060, 0.008}, within(1e-9));
        assertThat(row.foldsWon()).isEqualTo(4);
        assertThat(row.candidateSeedMeans()).hasSize(1);

        String table = FoldComparison.markdown("LP-FT", "partial", rows);
        assertThat(table).contains("| multi-scale | 0.760, 0.803, 0.834, 0.915, 0.843 | 0.768, 0.841, 0.881, 0.855,"
                + " 0.851 | 0.831 ± 0.057 | 0.839 ± 0.042 | +0.008 [-0.060 – +0.047] | 4/5 | one seed |");
    }

    @Test
    void averagesAMethodsSeedsPerFoldAndReportsTheirSpread() throws IOException {
        double[] seed8 = {0.758, 0.780, 0.849, 0.845, 0.830};
        Path file = log("all.log", lines("lpft-e10", LPFT, 1, 2, 3, 4, 5), lines("fb8-seed7", PARTIAL, 1, 2, 3, 4, 5),
                lines("fb8-seed8", seed8, 1, 2, 3, 4, 5));

        FoldComparison.Row row = FoldComparison.read(List.of(file))
                .compare(List.of("lpft-e10"), List.of("fb8-seed7", "fb8-seed8")).get(0);

        for (int f = 0; f < 5; f++) {
            assertThat(row.candidateAucs()[f]).isCloseTo((PARTIAL[f] + seed8[f]) / 2, within(1e-9));
        }
        assertThat(row.candidateSeedMeans()).containsExactly(new double[] {0.8392, 0.8124}, within(1e-9));
    }

    @Test
    void aDifferenceThatRoundsToNothingIsPrintedWithoutASign() throws IOException {
        double[] almost = LPFT.clone();
        almost[0] -= 0.001; // a mean difference of -0.0002
        Path file = log("all.log", lines("lpft-e10", LPFT, 1, 2, 3, 4, 5), lines("same", almost, 1, 2, 3, 4, 5));

        List<FoldComparison.Row> rows = FoldComparison.read(List.of(file))
                .compare(List.of("lpft-e10"), List.of("same"));

        assertThat(rows.get(0).meanDifference()).isNegative();
        assertThat(FoldComparison.markdown("a", "b", rows)).contains("| +0.000 [-0.001 – +0.000] | 0/5 |");
    }

    @Test
    void comparesOnlyTheFoldsBothSidesHave() throws IOException {
        Path file = log("all.log", lines("lpft-e10", LPFT, 1, 2, 3, 4, 5), lines("lpft-lr3x", PARTIAL, 1, 5));

        FoldComparison.Row row = FoldComparison.read(List.of(file))
                .compare(List.of("lpft-e10"), List.of("lpft-lr3x")).get(0);

        assertThat(row.folds()).containsExactly(1, 5);
        assertThat(row.baselineAucs()).containsExactly(0.760, 0.843);
    }

    @Test
    void saysSoWhenAFigureWasNotKept() throws IOException {
        List<String> notKept = lines("lpft-e10", LPFT, 1, 2).stream()
                .map(l -> l.replaceAll("accuracy=\\S+", "accuracy=NaN")).toList();
        Path file = log("all.log", notKept, lines("lpft-fb8", PARTIAL, 1, 2));

        List<FoldComparison.Row> rows = FoldComparison.read(List.of(file))
                .compare(List.of("lpft-e10"), List.of("lpft-fb8"));

        assertThat(rows.get(0).candidateAccuracy()).isCloseTo(0.715, within(1e-9));
        assertThat(FoldComparison.markdown("LP-FT", "partial", rows)).contains("| not kept → 0.715 |");
    }

    @Test
    void refusesAConfigWithoutLines() throws IOException {
        Path file = log("all.log", lines("lpft-e10", LPFT, 1, 2));

        assertThatThrownBy(() -> FoldComparison.read(List.of(file)).compare(List.of("lpft-e10"), List.of("nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope").hasMessageContaining("lpft-e10");
    }

    @SafeVarargs
    private Path log(String name, List<String>... parts) throws IOException {
        List<String> all = new ArrayList<>(List.of("evaluation.data dir=x train=425", "unrelated line"));
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return Files.write(dir.resolve(name), all);
    }

    private static List<String> lines(String config, double[] aucs, int... folds) {
        List<String> lines = new ArrayList<>();
        for (int fold : folds) {
            lines.add(String.format(Locale.ROOT, "2026-12-02 evaluation.finetune-cv.fold config=%s fold=%d/5"
                    + " variant=multi-scale auc=%.3f accuracy=%.3f", config, fold, aucs[fold - 1], 0.7 + fold / 100.0));
        }
        return lines;
    }
}
