package io.scanstream.learning.validation;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.learning.data.LabelledImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SourceGroupedFoldsTest {

    private static final GreyImage PIXELS = new GreyImage(2, 2, new byte[4]);

    @Test
    void slicesOfOnePreprintFormOneSourceWhateverTheirPatient() {
        LabelledImage a = image("covid/2020.02.25.20021568-p23-108.png", ClinicalLabel.COVID, "Patient 4");
        LabelledImage b = image("covid/2020.02.25.20021568-p23-109%1.png", ClinicalLabel.COVID, "Patient 5");
        LabelledImage c = image("noncovid/1336.png", ClinicalLabel.NON_COVID, "medpix_patient_51");

        assertThat(SourceGroupedFolds.source(a)).isEqualTo("preprint:2020.02.25.20021568")
                .isEqualTo(SourceGroupedFolds.source(b));
        assertThat(SourceGroupedFolds.source(c)).isEqualTo("patient:medpix_patient_51");
    }

    @Test
    void foldsKeepEverySourceOnOneSideAndHoldBothClasses() {
        List<LabelledImage> images = new ArrayList<>();
        for (int paper = 0; paper < 20; paper++) {
            for (int slice = 0; slice < 1 + paper % 4; slice++) {
                images.add(image("covid/2020.03.%02d.2003%04d-p%d-%d.png".formatted(paper % 28 + 1, paper, paper, slice),
                        ClinicalLabel.COVID, "Patient " + (paper * 10 + slice)));
            }
        }
        for (int patient = 0; patient < 25; patient++) {
            images.add(image("noncovid/" + patient + ".png", ClinicalLabel.NON_COVID, "medpix_patient_" + patient));
        }

        int[] fold = SourceGroupedFolds.assign(images, 5, 42);

        Map<String, Set<Integer>> foldsOfSource = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            foldsOfSource.computeIfAbsent(SourceGroupedFolds.source(images.get(i)), s -> new java.util.HashSet<>())
                    .add(fold[i]);
        }
        assertThat(foldsOfSource).hasSize(45).allSatisfy((source, folds) -> assertThat(folds).hasSize(1));
        for (int f = 0; f < 5; f++) {
            int k = f;
            Set<ClinicalLabel> labels = java.util.stream.IntStream.range(0, images.size()).filter(i -> fold[i] == k)
                    .mapToObj(i -> images.get(i).label()).collect(Collectors.toSet());
            assertThat(labels).as("fold %d", f).containsExactlyInAnyOrder(ClinicalLabel.COVID, ClinicalLabel.NON_COVID);
        }
        assertThat(SourceGroupedFolds.assign(images, 5, 42)).isEqualTo(fold);
        assertThat(SourceGroupedFolds.groups(images)).isEqualTo(45);
    }

    private static LabelledImage image(String file, ClinicalLabel label, String patient) {
        return new LabelledImage(file, label, patient, PIXELS);
    }
}
