package io.scanstream.learning.validation;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.learning.SyntheticEmbeddings;
import io.scanstream.learning.SyntheticEmbeddings.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class PatientSplitterTest {

    private final PatientSplitter splitter = new PatientSplitter(0.1, 2024);

    @Test
    void putsEveryPatientOnOneSideOnly() {
        List<Row> rows = SyntheticEmbeddings.rows("a", 120, 3, 4, 1, 1);

        DataSplit<Row> split = splitter.split(rows, Row::splitKey, Row::label);

        assertThat(patients(split.train())).doesNotContainAnyElementsOf(patients(split.validation()));
        assertThat(split.train().size() + split.validation().size()).isEqualTo(rows.size());
    }

    @Test
    void holdsOutTheFractionOfEachClass() {
        List<Row> rows = SyntheticEmbeddings.rows("a", 300, 3, 4, 1, 2);
        long covid = rows.stream().filter(Row::covid).count();
        long nonCovid = rows.size() - covid;

        DataSplit<Row> split = splitter.split(rows, Row::splitKey, Row::label);

        long validationCovid = split.validation().stream().filter(Row::covid).count();
        long validationNonCovid = split.validation().size() - validationCovid;
        // whole patients of 3 scans: at most one patient's scans above the target
        assertThat(validationCovid).isBetween(Math.round(0.1 * covid), Math.round(0.1 * covid) + 2);
        assertThat(validationNonCovid).isBetween(Math.round(0.1 * nonCovid), Math.round(0.1 * nonCovid) + 2);
    }

    @Test
    void dependsOnTheSetOfScansNotOnTheirOrder() {
        List<Row> rows = SyntheticEmbeddings.rows("a", 100, 2, 4, 1, 3);
        List<Row> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(5));

        assertThat(patients(splitter.split(shuffled, Row::splitKey, Row::label).validation()))
                .isEqualTo(patients(splitter.split(rows, Row::splitKey, Row::label).validation()));
    }

    @Test
    void keepsMostValidationPatientsWhenTheTrainingSetGrows() {
        List<Row> before = SyntheticEmbeddings.rows("a", 200, 2, 4, 1, 4);
        List<Row> after = new ArrayList<>(before);
        after.addAll(SyntheticEmbeddings.rows("new", 20, 2, 4, 1, 5));

        Set<String> earlier = patients(splitter.split(before, Row::splitKey, Row::label).validation());
        Set<String> later = patients(splitter.split(after, Row::splitKey, Row::label).validation());

        Set<String> kept = new HashSet<>(earlier);
        kept.retainAll(later);
        assertThat(kept.size()).isGreaterThanOrEqualTo((int) (0.8 * earlier.size()));
    }

    @Test
    void treatsAScanWithoutPatientAsItsOwnPatientAndNeverHoldsOutAClassesOnlyPatient() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(row("anon-" + i, ClinicalLabel.NON_COVID, null));
        }
        rows.add(row("only-covid-1", ClinicalLabel.COVID, "p-single"));
        rows.add(row("only-covid-2", ClinicalLabel.COVID, "p-single"));

        DataSplit<Row> split = new PatientSplitter(0.3, 1).split(rows, Row::splitKey,
                Row::label);

        assertThat(split.validation()).extracting(Row::label).containsOnly(ClinicalLabel.NON_COVID);
        assertThat(split.validation()).hasSize(3);
        assertThat(split.train()).extracting(Row::scanId).contains("only-covid-1", "only-covid-2");
    }

    private static Row row(String id, ClinicalLabel label, String patient) {
        return new Row(id, label, patient, new float[] {1});
    }

    private static Set<String> patients(List<Row> rows) {
        return rows.stream().map(Row::splitKey).collect(Collectors.toSet());
    }
}
