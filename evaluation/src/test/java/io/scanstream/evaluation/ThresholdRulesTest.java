package io.scanstream.evaluation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ThresholdRulesTest {

    @TempDir
    Path dir;

    private final List<String> lines = new ArrayList<>(List.of(
            "config,where,seed,variant,scanId,covid,score,threshold"));

    private void row(String where, String scan, boolean covid, double score) {
        lines.add(String.join(",", "c", where, "7", "multi-scale", scan, covid ? "1" : "0", Double.toString(score),
                "0.5"));
    }

    @Test
    void eachRulePicksItsThresholdOnTheInnerSideAndIsJudgedOnTheHeldOutScans() throws Exception {
        // Inner side, 2 COVID of 6: Youden's best cut is the gap (0.1, 0.6], which holds 0.5; the prevalence rule
        // calls the two highest COVID: the cut between 0.7 and 0.6.
        double[] innerCovid = {0.99, 0.6};
        double[] innerOther = {0.7, 0.1, 0.05, 0.01};
        for (int i = 0; i < innerCovid.length; i++) {
            row("fold=1/5:inner", "ic" + i, true, innerCovid[i]);
        }
        for (int i = 0; i < innerOther.length; i++) {
            row("fold=1/5:inner", "io" + i, false, innerOther[i]);
        }
        row("fold=1/5", "h1", true, 0.9);
        row("fold=1/5", "h2", true, 0.4);
        row("fold=1/5", "h3", false, 0.64);
        row("fold=1/5", "h4", false, 0.3);
        // An older run without inner rows: nothing to judge there.
        row("fold=2/5", "h5", true, 0.9);
        row("fold=2/5", "h6", false, 0.2);
        Path file = dir.resolve("scores.csv");
        Files.write(file, lines);

        List<ThresholdRules.Row> rows = ThresholdRules.judge(List.of(file));

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.where()).isEqualTo("fold=1/5");
            assertThat(r.thresholds().keySet()).containsExactly("youden", "bootstrap-youden", "half", "prevalence");
            assertThat(r.thresholds().get("youden")).isEqualTo(0.5);
            assertThat(r.thresholds().get("prevalence")).isCloseTo(0.65, within(1e-12));
            assertThat(r.accuracies().get("youden")).isEqualTo(0.5);    // 0.4 missed, 0.64 a false alarm
            assertThat(r.accuracies().get("half")).isEqualTo(0.5);
            assertThat(r.accuracies().get("prevalence")).isEqualTo(0.75); // only 0.4 missed
            assertThat(r.thresholds().get("bootstrap-youden")).isBetween(0.01, 0.99);
        });
        // Seeded resampling: the same threshold every time.
        assertThat(ThresholdRules.judge(List.of(file)).get(0).thresholds().get("bootstrap-youden"))
                .isEqualTo(rows.get(0).thresholds().get("bootstrap-youden"));
        // The averaging of seeds reads only held-out scores.
        assertThat(SeedEnsemble.read(List.of(file)).rows()).extracting(SeedEnsemble.Row::scans).containsExactly(4, 2);
    }

    @Test
    void thePrevalenceRuleDependsOnlyOnTheRanks() {
        var inner = new ThresholdRules.Scored(new double[] {1e-7, 0.999999, 2e-7, 0.9999999}, new boolean[] {
                false, true, true, false});
        // Two COVID: call the two highest, whatever the head's saturation.
        assertThat(ThresholdRules.prevalence(inner)).isCloseTo((0.999999 + 2e-7) / 2, within(1e-12));
    }
}
