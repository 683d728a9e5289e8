package io.scanstream.training.run;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.training.domain.ScanImages;
import io.scanstream.training.domain.TrainingExample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The training set's labelled scans with their preprocessed images: what full-network training learns from. */
public final class LabelledImages {

    private LabelledImages() {
    }

    /** Rows without a preprocessed image (compacted away, never ingested here) are left out; ordered by scan id. */
    public static List<LabelledImage> of(List<TrainingExample> snapshot, ScanImages images) {
        Map<String, TrainingExample> labelled = snapshot.stream()
                .collect(Collectors.toMap(TrainingExample::scanId, e -> e, (a, b) -> b, LinkedHashMap::new));
        Map<String, ScanPreprocessed> found = images.read(labelled.keySet());
        List<LabelledImage> out = new ArrayList<>();
        for (TrainingExample e : labelled.values()) {
            ScanPreprocessed scan = found.get(e.scanId());
            if (scan != null) {
                out.add(new LabelledImage(e.scanId(), e.label(), e.patient(), scan.image(), e.origin()));
            }
        }
        out.sort(Comparator.comparing(LabelledImage::scanId));
        return out;
    }
}
