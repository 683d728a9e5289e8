package io.scanstream.inference.domain;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.inference.batching.DynamicBatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One forward pass per batch with the network in service ({@link ModelVersions#forNextBatch}): its backbone embeds
 * the batch (padded to its bucket size), then its head, if there is one yet, scores the embeddings; every result
 * names the backbone that computed it. Runs on the batcher's thread, the only thread that runs the natives.
 */
public final class ScanInference implements DynamicBatcher.BatchProcessor<ScanPreprocessed, InferenceResult> {

    private final ModelVersions versions;

    public ScanInference(ModelVersions versions) {
        this.versions = versions;
    }

    /**
     * A failed batch is retried scan by scan, so one bad input or a transient failure does not sink its neighbours;
     * a scan that fails alone too is returned as failed (published as an INTERNAL rejection).
     */
    @Override
    public List<InferenceResult> process(List<ScanPreprocessed> scans, int paddedSize) {
        ServingNetwork network = versions.forNextBatch();
        try {
            return forward(network, scans, paddedSize);
        } catch (RuntimeException batchFailure) {
            List<InferenceResult> results = new ArrayList<>(scans.size());
            for (ScanPreprocessed scan : scans) {
                try {
                    results.add(forward(network, List.of(scan), 1).get(0));
                } catch (RuntimeException e) {
                    results.add(new InferenceResult.Failed(scan, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            }
            return results;
        }
    }

    private static List<InferenceResult> forward(ServingNetwork network, List<ScanPreprocessed> scans,
                                                 int paddedSize) {
        List<GreyImage> images = new ArrayList<>(scans.size());
        for (ScanPreprocessed scan : scans) {
            images.add(scan.image());
        }
        float[][] embeddings = network.backbone().embed(images, paddedSize);
        Optional<ServingHead> head = network.head();
        double[] probabilities = head.map(h -> h.head().probabilities(embeddings)).orElse(null);
        String backboneId = network.backboneId();
        List<InferenceResult> results = new ArrayList<>(scans.size());
        for (int i = 0; i < scans.size(); i++) {
            results.add(head.isPresent()
                    ? new InferenceResult.Scored(scans.get(i), embeddings[i], backboneId, clamp(probabilities[i]),
                    head.get().version(), head.get().threshold())
                    : new InferenceResult.Embedded(scans.get(i), embeddings[i], backboneId));
        }
        return results;
    }

    private static double clamp(double p) {
        // softmax output can exceed [0,1] by an ulp; the contract says 0..1.
        return Math.max(0.0, Math.min(1.0, p));
    }
}
