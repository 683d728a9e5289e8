package io.scanstream.training.domain;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.SyntheticEmbeddings;
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
        List<TrainingExample> rows = SyntheticEmbeddings.examples("a", 120, 3, 4, 1, "b", 1);

        DataSplit<TrainingExample> split = splitter.split(rows, TrainingExample::splitKey, TrainingExample::label);

        assertThat(patients(split.train())).doesNotContainAnyElementsOf(patients(split.validation()));
        assertThat(split.train().size() + split.validation().size()).isEqualTo(rows.size());
    }

    @Test
    void holdsOutTheFractionOfEachClass() {
        List<TrainingExample> rows = SyntheticEmbeddings.examples("a", 300, 3, 4, 1, "b", 2);
        long covid = rows.stream().filter(TrainingExample::covid).count();
        long nonCovid = rows.size() - covid;

        DataSplit<TrainingExample> split = splitter.split(rows, TrainingExample::splitKey, TrainingExample::label);

        long validationCovid = split.validation().stream().filter(TrainingExample::covid).count();
        long validationNonCovid = split.validation().size() - validationCovid;
        // whole patients of 3 scans: at most one patient's scans above the target
        assertThat(validationCovid).isBetween(Math.round(0.1 * covid), Math.round(0.1 * covid) + 2);
        assertThat(validationNonCovid).isBetween(Math.round(0.1 * nonCovid), Math.round(0.1 * nonCovid) + 2);
    }

    @Test
    void dependsOnTheSetOfScansNotOnTheirOrder() {
        List<TrainingExample> rows = SyntheticEmbeddings.examples("a", 100, 2, 4, 1, "b", 3);
        List<TrainingExample> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(5));

        assertThat(patients(splitter.split(shuffled, TrainingExample::splitKey, TrainingExample::label).validation()))
                .isEqualTo(patients(splitter.split(rows, TrainingExample::splitKey, TrainingExample::label).validation()));
    }

    @Test
    void keepsMostValidationPatientsWhenTheTrainingSetGrows() {
        List<TrainingExample> before = SyntheticEmbeddings.examples("a", 200, 2, 4, 1, "b", 4);
        List<TrainingExample> after = new ArrayList<>(before);
        after.addAll(SyntheticEmbeddings.examples("new", 20, 2, 4, 1, "b", 5));

        Set<String> earlier = patients(splitter.split(before, TrainingExample::splitKey, TrainingExample::label).validation());
        Set<String> later = patients(splitter.split(after, TrainingExample::splitKey, TrainingExample::label).validation());

        Set<String> kept = new HashSet<>(earlier);
        kept.retainAll(later);
        assertThat(kept.size()).isGreaterThanOrEqualTo((int) (0.8 * earlier.size()));
    }

    @Test
    void treatsAScanWithoutPatientAsItsOwnPatientAndNeverHoldsOutAClassesOnlyPatient() {
        List<TrainingExample> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(row("anon-" + i, ClinicalLabel.NON_COVID, null));
        }
        rows.add(row("only-covid-1", ClinicalLabel.COVID, "p-single"));
        rows.add(row("only-covid-2", ClinicalLabel.COVID, "p-single"));

        DataSplit<TrainingExample> split = new PatientSplitter(0.3, 1).split(rows, TrainingExample::splitKey,
                TrainingExample::label);

        assertThat(split.validation()).extracting(TrainingExample::label).containsOnly(ClinicalLabel.NON_COVID);
        assertThat(split.validation()).hasSize(3);
        assertThat(split.train()).extracting(TrainingExample::scanId).contains("only-covid-1", "only-covid-2");
    }

    private static TrainingExample row(String id, ClinicalLabel label, String patient) {
        return new TrainingExample(id, label, null, SyntheticEmbeddings.LABELLED_AT, patient, "b", new float[] {1});
    }

    private static Set<String> patients(List<TrainingExample> rows) {
        return rows.stream().map(TrainingExample::splitKey).collect(Collectors.toSet());
    }
}
