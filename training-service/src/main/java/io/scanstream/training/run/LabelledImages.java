package io.scanstream.training.run;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.ScanImages;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The training set's labelled scans with their preprocessed images: what fine-tuning learns from. */
public final class LabelledImages {

    private LabelledImages() {
    }

    /** Scans without a preprocessed image (compacted away, never ingested here) are left out; ordered by scan id. */
    public static List<LabelledImage> of(List<LabelledScan> labelled, ScanImages images) {
        Map<String, LabelledScan> byId = labelled.stream()
                .collect(Collectors.toMap(LabelledScan::scanId, Function.identity(), (a, b) -> b, LinkedHashMap::new));
        Map<String, ScanPreprocessed> found = images.read(byId.keySet());
        List<LabelledImage> out = new ArrayList<>();
        for (LabelledScan s : byId.values()) {
            ScanPreprocessed scan = found.get(s.scanId());
            if (scan != null) {
                out.add(new LabelledImage(s.scanId(), s.label(), s.patient(), scan.image(), s.origin()));
            }
        }
        out.sort(Comparator.comparing(LabelledImage::scanId));
        return out;
    }
}
