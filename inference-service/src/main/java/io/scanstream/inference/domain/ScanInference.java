package io.scanstream.inference.domain;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.model.backbone.FeatureExtractor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One forward pass per batch: the frozen backbone embeds the batch (padded to its bucket size), then the head in
 * service, if any, scores the embeddings. Runs on the batcher's thread, the only thread that touches the natives.
 */
public final class ScanInference implements DynamicBatcher.BatchProcessor<ScanPreprocessed, InferenceResult> {

    private final FeatureExtractor backbone;
    private final ModelVersions versions;

    public ScanInference(FeatureExtractor backbone, ModelVersions versions) {
        this.backbone = backbone;
        this.versions = versions;
    }

    /**
     * A failed batch is retried scan by scan, so one bad input or a transient failure does not sink its neighbours;
     * a scan that fails alone too is returned as failed (published as an INTERNAL rejection).
     */
    @Override
    public List<InferenceResult> process(List<ScanPreprocessed> scans, int paddedSize) {
        try {
            return forward(scans, paddedSize);
        } catch (RuntimeException batchFailure) {
            List<InferenceResult> results = new ArrayList<>(scans.size());
            for (ScanPreprocessed scan : scans) {
                try {
                    results.add(forward(List.of(scan), 1).get(0));
                } catch (RuntimeException e) {
                    results.add(new InferenceResult.Failed(scan, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            }
            return results;
        }
    }

    private List<InferenceResult> forward(List<ScanPreprocessed> scans, int paddedSize) {
        List<GreyImage> images = new ArrayList<>(scans.size());
        for (ScanPreprocessed scan : scans) {
            images.add(scan.image());
        }
        float[][] embeddings = backbone.embed(images, paddedSize);
        Optional<ServingHead> head = versions.forNextBatch();
        double[] probabilities = head.map(h -> h.head().probabilities(embeddings)).orElse(null);
        List<InferenceResult> results = new ArrayList<>(scans.size());
        for (int i = 0; i < scans.size(); i++) {
            results.add(head.isPresent()
                    ? new InferenceResult.Scored(scans.get(i), embeddings[i], clamp(probabilities[i]),
                    head.get().version(), head.get().threshold())
                    : new InferenceResult.Embedded(scans.get(i), embeddings[i]));
        }
        return results;
    }

    private static double clamp(double p) {
        // softmax output can exceed [0,1] by an ulp; the contract says 0..1.
        return Math.max(0.0, Math.min(1.0, p));
    }
}
