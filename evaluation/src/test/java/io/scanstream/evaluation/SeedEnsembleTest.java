package io.scanstream.evaluation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SeedEnsembleTest {

    @TempDir
    Path dir;

    @Test
    void averagesEachScansScoreOverTheSeedsAndScoresTheAverageBesideTheSeedsAlone() throws Exception {
        // Two seeds that each misrank one pair; their average ranks every COVID scan above every other one.
        Path seed7 = write("seed7.csv", List.of(
                "cv,fold=1/5,7,final,a,1,0.900000,0.500000",
                "cv,fold=1/5,7,final,b,1,0.300000,0.500000",
                "cv,fold=1/5,7,final,c,0,0.400000,0.500000",
                "cv,fold=1/5,7,final,d,0,0.100000,0.500000"));
        Path seed8 = write("seed8.csv", List.of(
                "cv,fold=1/5,8,final,a,1,0.350000,0.300000",
                "cv,fold=1/5,8,final,b,1,0.900000,0.300000",
                "cv,fold=1/5,8,final,c,0,0.100000,0.300000",
                "cv,fold=1/5,8,final,d,0,0.400000,0.300000",
                "cv,fold=1/5,8,final,e,0,0.000000,0.300000")); // only one seed scored e: left out

        List<SeedEnsemble.Row> rows = SeedEnsemble.read(List.of(seed7, seed8)).rows();

        assertThat(rows).hasSize(1);
        SeedEnsemble.Row row = rows.get(0);
        assertThat(row.where()).isEqualTo("fold=1/5");
        assertThat(row.seeds()).containsExactly(7L, 8L);
        assertThat(row.scans()).isEqualTo(4);
        assertThat(row.seedAucs()).containsExactly(new double[] {0.75, 0.75}, within(1e-9));
        // Means: a 0.625, b 0.6, c 0.25, d 0.25: every COVID scan above every other one.
        assertThat(row.ensembleAuc()).isCloseTo(1.0, within(1e-9));
        // Seed 7 at 0.5: b wrong; seed 8 at 0.3: d wrong.
        assertThat(row.seedAccuracies()).containsExactly(new double[] {0.75, 0.75}, within(1e-9));
        // The ensemble at the members' mean threshold 0.4: all four right.
        assertThat(row.ensembleAccuracy()).isCloseTo(1.0, within(1e-9));
        // At 0.5: seed 7 misses b; seed 8 misses a; the means put a and b above, c and d below.
        assertThat(row.seedAccuraciesAtHalf()).containsExactly(new double[] {0.75, 0.75}, within(1e-9));
        assertThat(row.ensembleAccuracyAtHalf()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void keepsFoldsAndReadoutsApart() throws Exception {
        Path scores = write("scores.csv", List.of(
                "cv,fold=1/5,7,final,a,1,0.9,0.5", "cv,fold=1/5,7,final,b,0,0.1,0.5",
                "cv,fold=2/5,7,final,c,1,0.2,0.5", "cv,fold=2/5,7,final,d,0,0.8,0.5",
                "cv,fold=1/5,7,multi-scale,a,1,0.1,0.5", "cv,fold=1/5,7,multi-scale,b,0,0.9,0.5"));

        List<SeedEnsemble.Row> rows = SeedEnsemble.read(List.of(scores)).rows();

        assertThat(rows).extracting(r -> r.where() + " " + r.variant() + " " + r.ensembleAuc())
                .containsExactly("fold=1/5 final 1.0", "fold=1/5 multi-scale 0.0", "fold=2/5 final 0.0");
    }

    private Path write(String name, List<String> rows) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "config,where,seed,variant,scanId,covid,score,threshold\n" + String.join("\n", rows));
        return file;
    }
}
