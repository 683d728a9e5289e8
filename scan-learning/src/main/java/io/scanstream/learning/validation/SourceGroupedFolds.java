package io.scanstream.learning.validation;

import io.scanstream.core.dataset.Preprints;
import io.scanstream.learning.data.LabelledImage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Cross-validation folds over a data set's training split that keep every source on one side, for choosing
 * settings without touching the validation split. In COVID-CT a "source" is coarser than a patient: the COVID
 * slices were cut from preprints, several patients per preprint, with one preprint's figure style (resolution,
 * crop, annotations) shared by all of them, and the official split keeps preprints apart. Folds by patient let that
 * style leak across folds (cross-validated AUC 0.88 on train against 0.78 on val for the same model); folds by
 * preprint reproduce the official split's difficulty (0.77). Rule: a file whose name starts with a medRxiv/bioRxiv
 * id ({@code 2020.02.25.20021568-p23-108.png}) belongs to that preprint; anything else to its
 * {@code patient_or_source_id}. Groups are stratified by their majority class, shuffled with a fixed seed and dealt
 * to the folds in turn.
 */
public final class SourceGroupedFolds {

    private SourceGroupedFolds() {
    }

    /** The fold (0..k-1) of each image, in order. */
    public static int[] assign(List<LabelledImage> images, int folds, long seed) {
        Map<String, int[]> classCounts = new TreeMap<>();
        for (LabelledImage image : images) {
            classCounts.computeIfAbsent(source(image), s -> new int[2])[image.covid() ? 1 : 0]++;
        }
        Map<String, Integer> foldOf = new TreeMap<>();
        for (boolean covid : new boolean[] {true, false}) {
            List<String> groups = new ArrayList<>();
            classCounts.forEach((group, counts) -> {
                if ((counts[1] > counts[0]) == covid) {
                    groups.add(group);
                }
            });
            Collections.shuffle(groups, new Random(seed));
            for (int i = 0; i < groups.size(); i++) {
                foldOf.put(groups.get(i), i % folds);
            }
        }
        return images.stream().mapToInt(image -> foldOf.get(source(image))).toArray();
    }

    /** The image's origin when it has one, else the preprint its file name names, else its patient. */
    public static String source(LabelledImage image) {
        if (image.origin() != null) {
            return image.origin();
        }
        return Preprints.of(image.scanId()).orElseGet(() -> "patient:" + image.splitKey());
    }

    public static int groups(List<LabelledImage> images) {
        return (int) images.stream().map(SourceGroupedFolds::source).distinct().count();
    }
}
