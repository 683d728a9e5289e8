package io.scanstream.inference.domain;

import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.inference.batching.DynamicBatcher;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One forward pass per batch with the network in service ({@link ModelVersions#forNextBatch}): its backbone embeds
 * the batch (padded to its bucket size), then its head, if there is one yet, scores the embeddings; every result
 * names the backbone that computed it. Runs on the batcher's thread, the only thread that runs the natives.
 *
 * <p>Poison isolation: nothing a forward pass does ends the batch thread or the loop. A failing batch (any
 * Throwable, Errors such as an OutOfMemoryError or a StackOverflowError included) is retried scan by scan; a scan
 * that fails alone is a {@link InferenceResult.Failed} (an INTERNAL rejection). A NaN or infinite embedding or
 * probability is never published: the scan fails, and the {@link OutputGuard} withdraws a head version after a run
 * of them: its backbone serves without it (UNDETERMINED) while {@link ModelVersions#withdrawn} loads the last good
 * version in its place. Inputs served with a finite outcome feed the {@link ValidationBatch} new versions must pass.
 */
public final class ScanInference implements DynamicBatcher.BatchProcessor<ScanPreprocessed, InferenceResult> {

    private static final Logger LOG = Logger.getLogger(ScanInference.class);

    /** Told what the batch thread saw: inputs served with a finite outcome, and withdrawals. */
    public interface Feedback {
        Feedback NONE = new Feedback() { };

        default void served(GreyImage input) {
        }

        default void withdrawn(ServingHead head) {
        }
    }

    private final Supplier<ServingNetwork> networks;
    private final OutputGuard guard;
    private final Feedback feedback;

    public ScanInference(ModelVersions versions) {
        this(versions, new OutputGuard(OutputGuard.DEFAULT_LIMIT, OutputGuard.Observer.NONE));
    }

    public ScanInference(ModelVersions versions, OutputGuard guard) {
        this(versions::forNextBatch, guard, new Feedback() {
            @Override
            public void served(GreyImage input) {
                versions.validation().served(input);
            }

            @Override
            public void withdrawn(ServingHead head) {
                versions.withdrawn(head);
            }
        });
    }

    /** @param networks the network of the next batch (called once per batch, on the batch thread) */
    public ScanInference(Supplier<ServingNetwork> networks, OutputGuard guard) {
        this(networks, guard, Feedback.NONE);
    }

    public ScanInference(Supplier<ServingNetwork> networks, OutputGuard guard, Feedback feedback) {
        this.networks = networks;
        this.guard = guard;
        this.feedback = feedback;
    }

    public OutputGuard guard() {
        return guard;
    }

    /**
     * A failed batch is retried scan by scan, so one bad input or a transient failure does not sink its neighbours;
     * a scan that fails alone too is returned as failed (published as an INTERNAL rejection).
     */
    @Override
    public List<InferenceResult> process(List<ScanPreprocessed> scans, int paddedSize) {
        ServingNetwork network = withoutWithdrawnHead(networks.get());
        try {
            return forward(network, scans, paddedSize);
        } catch (Throwable batchFailure) {
            noteError(batchFailure);
            List<InferenceResult> results = new ArrayList<>(scans.size());
            for (ScanPreprocessed scan : scans) {
                try {
                    results.add(forward(withoutWithdrawnHead(network), List.of(scan), 1).get(0));
                } catch (Throwable e) {
                    noteError(e);
                    results.add(new InferenceResult.Failed(scan, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            }
            return results;
        }
    }

    /** A network whose head was withdrawn serves its backbone alone: embeddings, UNDETERMINED predictions. */
    private ServingNetwork withoutWithdrawnHead(ServingNetwork network) {
        if (network.head().isPresent() && guard.withdrawn(network.head().get().version())) {
            return new ServingNetwork(network.backbone(), Optional.empty());
        }
        return network;
    }

    private void noteError(Throwable e) {
        if (e instanceof Error) {
            guard.forwardError(e);
            LOG.errorf("inference.forward.error error=\"%s\"; the batch is retried scan by scan", e.toString());
        }
    }

    private List<InferenceResult> forward(ServingNetwork network, List<ScanPreprocessed> scans, int paddedSize) {
        List<GreyImage> images = new ArrayList<>(scans.size());
        for (ScanPreprocessed scan : scans) {
            images.add(scan.image());
        }
        float[][] embeddings;
        // A new version's validation may run this backbone from the models' consumer: one forward at a time.
        synchronized (network.backbone()) {
            embeddings = network.backbone().embed(images, paddedSize);
        }
        Optional<ServingHead> head = network.head();
        double[] probabilities = head.map(h -> h.head().probabilities(embeddings)).orElse(null);
        String backboneId = network.backboneId();
        List<InferenceResult> results = new ArrayList<>(scans.size());
        for (int i = 0; i < scans.size(); i++) {
            ScanPreprocessed scan = scans.get(i);
            if (!OutputGuard.finite(embeddings[i])) {
                guard.nonFinite(null, backboneId);
                results.add(new InferenceResult.Failed(scan, "non-finite embedding (NaN or infinite) from backbone "
                        + backboneId));
            } else if (head.isEmpty()) {
                feedback.served(scan.image());
                results.add(new InferenceResult.Embedded(scan, embeddings[i], backboneId));
            } else if (!Double.isFinite(probabilities[i])) {
                String version = head.get().version();
                if (guard.nonFinite(version, backboneId)) {
                    LOG.errorf("model.withdrawn version=%s backbone=%s consecutiveNonFinite=%d; its backbone serves"
                            + " without a head (UNDETERMINED) until the last good version is loaded in its place",
                            version, backboneId, guard.limit());
                    feedback.withdrawn(head.get());
                }
                results.add(new InferenceResult.Failed(scan, "non-finite output (" + probabilities[i]
                        + ") from head version " + version));
            } else {
                guard.finite(head.get().version());
                feedback.served(scan.image());
                results.add(new InferenceResult.Scored(scan, embeddings[i], backboneId, clamp(probabilities[i]),
                        head.get().version(), head.get().threshold()));
            }
        }
        return results;
    }

    private static double clamp(double p) {
        // softmax output can exceed [0,1] by an ulp; the contract says 0..1.
        return Math.max(0.0, Math.min(1.0, p));
    }
}
