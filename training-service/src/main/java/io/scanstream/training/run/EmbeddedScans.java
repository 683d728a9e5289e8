package io.scanstream.training.run;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.EmbeddingSink;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.ScanImages;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The rows a run trains on: every labelled scan with its embedding of the run's backbone. Embeddings the training
 * set does not hold yet (a new backbone, an inference replica behind, a label for a scan inference has not seen)
 * are computed here from the preprocessed scans and published, so the next run finds them. Scans whose image is
 * gone are left out, and counted.
 */
public final class EmbeddedScans {

    /** @param unavailable labelled scans left out: no embedding and no preprocessed image */
    public record Rows(List<TrainingExample> rows, int computed, int unavailable) {
    }

    private EmbeddedScans() {
    }

    public static Rows of(TrainingSet.Snapshot snapshot, Backbone backbone, ScanImages images, EmbeddingSink sink) {
        List<TrainingExample> rows = new ArrayList<>(snapshot.rows());
        List<LabelledScan> missing = snapshot.unembedded();
        if (missing.isEmpty()) {
            return new Rows(sorted(rows), 0, 0);
        }
        Map<String, LabelledScan> byId = missing.stream().collect(Collectors.toMap(LabelledScan::scanId,
                Function.identity(), (a, b) -> b));
        Map<String, ScanPreprocessed> found = images.read(byId.keySet());
        List<EmbeddingSink.Computed> computed = new ArrayList<>();
        for (LabelledScan scan : missing) {
            ScanPreprocessed image = found.get(scan.scanId());
            if (image != null) {
                computed.add(new EmbeddingSink.Computed(scan, backbone.embed(image.image())));
            }
        }
        if (!computed.isEmpty()) {
            sink.publish(backbone.id(), computed);
        }
        computed.forEach(c -> rows.add(c.scan().withEmbedding(backbone.id(), c.vector())));
        return new Rows(sorted(rows), computed.size(), missing.size() - computed.size());
    }

    private static List<TrainingExample> sorted(List<TrainingExample> rows) {
        rows.sort(Comparator.comparing(TrainingExample::scanId));
        return rows;
    }
}
