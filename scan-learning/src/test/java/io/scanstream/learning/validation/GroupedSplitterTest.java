package io.scanstream.learning.validation;

import io.scanstream.core.contract.ClinicalLabel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class GroupedSplitterTest {

    record Scan(String scanId, ClinicalLabel label, String patient, String origin) {
    }

    private static final GroupedSplitter.Keys<Scan> KEYS = new GroupedSplitter.Keys<>() {
        @Override
        public String patient(Scan s) {
            return s.patient();
        }

        @Override
        public String origin(Scan s) {
            return s.origin();
        }

        @Override
        public String scanId(Scan s) {
            return s.scanId();
        }
    };

    @Test
    void neverPutsAPatientOrAnOriginOnBothSides() {
        List<Scan> scans = dataSet(300, 0);

        DataSplit<Scan> split = new GroupedSplitter(0.25, 7).split(scans, KEYS).split();

        assertThat(split.validation()).isNotEmpty();
        Set<String> trainPatients = split.train().stream().map(Scan::patient).collect(Collectors.toSet());
        Set<String> trainOrigins = split.train().stream().map(Scan::origin).collect(Collectors.toSet());
        assertThat(split.validation()).noneMatch(s -> trainPatients.contains(s.patient()))
                .noneMatch(s -> trainOrigins.contains(s.origin()));
        assertThat(split.train().size() + split.validation().size()).isEqualTo(scans.size());
    }

    @Test
    void aPatientSeenAtTwoOriginsJoinsThemIntoOneGroup() {
        List<Scan> scans = new ArrayList<>(dataSet(200, 0));
        // patient p0 also appears at an origin of its own: both origins must land on one side
        scans.add(new Scan("bridge", ClinicalLabel.COVID, "p0", "lonely-origin"));

        GroupedSplitter.Result<Scan> result = new GroupedSplitter(0.3, 3).split(scans, KEYS);

        Scan bridge = scans.get(scans.size() - 1);
        Scan p0 = scans.stream().filter(s -> s.patient().equals("p0") && s != bridge).findFirst().orElseThrow();
        assertThat(result.groupOf().get(bridge)).isEqualTo(result.groupOf().get(p0));
        assertThat(result.split().validation().contains(bridge)).isEqualTo(result.split().validation().contains(p0));
    }

    @Test
    void scansInALineageLeaveValidationForTraining() {
        List<Scan> scans = dataSet(200, 0);
        GroupedSplitter.Result<Scan> result = new GroupedSplitter(0.3, 5).split(scans, KEYS);
        Set<String> seen = result.split().validation().stream().limit(7).map(Scan::scanId).collect(Collectors.toSet());

        GroupedSplitter.Result<Scan> moved = result.seenMovedToTrain(s -> seen.contains(s.scanId()));

        assertThat(ids(moved.split().validation())).doesNotContainAnyElementsOf(seen)
                .hasSize(result.split().validation().size() - 7);
        assertThat(ids(moved.split().train())).containsAll(seen).hasSize(result.split().train().size() + 7);
        assertThat(result.seenMovedToTrain(s -> false)).isSameAs(result);
    }

    @Test
    void isStableAsTheSetGrowsAndGroupsOnlyEverMoveIntoValidation() {
        GroupedSplitter splitter = new GroupedSplitter(0.2, 11);
        List<Scan> before = dataSet(200, 0);
        List<Scan> after = new ArrayList<>(before);
        after.addAll(dataSet(100, 1000)); // new patients and origins
        after.add(new Scan("link", ClinicalLabel.NON_COVID, "p3", "origin-1007")); // links two groups

        Set<String> validationBefore = ids(splitter.split(before, KEYS).split().validation());
        Set<String> trainBefore = ids(splitter.split(before, KEYS).split().train());
        DataSplit<Scan> grown = splitter.split(after, KEYS).split();

        assertThat(ids(grown.validation())).containsAll(validationBefore);
        long moved = trainBefore.stream().filter(ids(grown.validation())::contains).count();
        assertThat(moved).isLessThanOrEqualTo(trainBefore.size() / 10);
    }

    @Test
    void scansWithNeitherPatientNorOriginAreCountedAndReportedWhenGroupsAreTooFew() {
        List<Scan> scans = List.of(new Scan("a", ClinicalLabel.COVID, null, null),
                new Scan("b", ClinicalLabel.NON_COVID, null, null), new Scan("c", ClinicalLabel.COVID, "p1", null));

        GroupedSplitter.Result<Scan> result = new GroupedSplitter(0.5, 1).split(scans, KEYS);

        assertThat(result.ungrouped()).isEqualTo(2);
        assertThat(GroupedSplitter.check(result, Scan::label, 2))
                .contains("at least 2 per class and side", "2 scan(s) carry neither patient nor origin");
    }

    @Test
    void enoughGroupsPerClassOnBothSidesPassTheCheck() {
        GroupedSplitter.Result<Scan> result = new GroupedSplitter(0.3, 5).split(dataSet(400, 0), KEYS);

        assertThat(GroupedSplitter.check(result, Scan::label, 2)).isNull();
    }

    /** Patients p0..n/4 with 4 scans each; origins hold 4 patients each; one label per origin. */
    private static List<Scan> dataSet(int n, int offset) {
        List<Scan> scans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int patient = offset + i / 4;
            int origin = offset + patient / 4;
            ClinicalLabel label = origin % 2 == 0 ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
            scans.add(new Scan("s" + (offset + i), label, "p" + patient, "origin-" + origin));
        }
        return scans;
    }

    private static Set<String> ids(List<Scan> scans) {
        return scans.stream().map(Scan::scanId).collect(Collectors.toCollection(HashSet::new));
    }
}
