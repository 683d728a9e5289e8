package io.scanstream.inference.domain;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.backbone.DifferentiableBackbone;
import io.scanstream.model.explain.GradCamNetwork;
import io.scanstream.model.explain.Saliency;
import io.scanstream.model.head.ClassificationHead;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/**
 * Grad-CAM explanations of the version in service, off the scan path: the batch thread never waits for them. The
 * served network is rebuilt on PyTorch (ONNX Runtime and TorchScript modules have no autograd): the backbone once
 * per backbone id, the head once per version; both released when the version in service moves on (found by the next
 * explanation or by {@link #releaseIfStale}, which the service runs every few seconds), and on shutdown. One
 * explanation at a time (DJL's PyTorch engine allows one gradient collector per
 * JVM, and the CPU is the scan path's): a second caller is told {@link Busy}, not queued.
 */
public final class Explanations implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Explanations.class);

    /** What became of a request. */
    public sealed interface Outcome permits Explained, NotServed, Busy, Unavailable {
    }

    /** The map of the version in service, on its backbone's last convolutional stage. */
    public record Explained(String scanId, String modelVersion, String backboneId, String layer, Saliency saliency)
            implements Outcome {
    }

    /** The requested version is not the one in service ({@code served} null: none is). */
    public record NotServed(String requested, String served) implements Outcome {
    }

    /** Another explanation is running. */
    public record Busy() implements Outcome {
    }

    /** The version in service cannot be explained here (its backbone is gone or does not fit the block). */
    public record Unavailable(String reason) implements Outcome {
    }

    /** Told how each request ended, for metrics. */
    public interface Observer {
        Observer NONE = new Observer() { };

        /** {@code outcome}: explained, not-served, busy, unavailable; {@code nanos} the time it took. */
        default void finished(String outcome, long nanos) {
        }

        /**
         * After {@link #finished}, when the request ran on libtorch: native memory it used went back to the allocator
         * (which keeps it until trimmed).
         */
        default void freedNativeMemory() {
        }
    }

    private final ModelVersions versions;
    private final Predicate<String> withdrawn;
    private final ExplanationBackbones backbones;
    private final Observer observer;
    private final Semaphore oneAtATime = new Semaphore(1);
    // guarded by oneAtATime (and close)
    private DifferentiableBackbone backbone;
    private ClassificationHead head;
    private String headVersion;

    /**
     * @param withdrawn whether a version was withdrawn in service for non-finite outputs (it serves no more)
     */
    public Explanations(ModelVersions versions, Predicate<String> withdrawn, ExplanationBackbones backbones,
                        Observer observer) {
        this.versions = versions;
        this.withdrawn = withdrawn;
        this.backbones = backbones;
        this.observer = observer;
    }

    /**
     * @param requestedVersion the version the prediction carries (null: the prediction had none)
     * @param image            the preprocessed scan as the model saw it
     */
    public Outcome explain(String scanId, String requestedVersion, GreyImage image) {
        long start = System.nanoTime();
        Outcome outcome = run(scanId, requestedVersion, image);
        observer.finished(name(outcome), System.nanoTime() - start);
        if (ranOnLibtorch(outcome)) {
            observer.freedNativeMemory();
        }
        return outcome;
    }

    /** The outcome's name in metrics and logs. */
    public static String name(Outcome outcome) {
        if (outcome instanceof Explained) {
            return "explained";
        }
        if (outcome instanceof NotServed) {
            return "not-served";
        }
        return outcome instanceof Busy ? "busy" : "unavailable";
    }

    /**
     * Whether a request that ended so ran on libtorch (an explanation, or a copy built that then did not fit), so
     * that native memory was freed when it ended; refusals before any work ({@link NotServed}, {@link Busy}) did not.
     */
    static boolean ranOnLibtorch(Outcome outcome) {
        return outcome instanceof Explained || outcome instanceof Unavailable;
    }

    private Outcome run(String scanId, String requestedVersion, GreyImage image) {
        Optional<ModelArtifact> inService = versions.servingArtifact()
                .filter(a -> !withdrawn.test(a.metadata().servedVersion()));
        String served = inService.map(a -> a.metadata().servedVersion()).orElse(null);
        if (served == null || !served.equals(requestedVersion)) {
            return new NotServed(requestedVersion, served);
        }
        if (!oneAtATime.tryAcquire()) {
            return new Busy();
        }
        try {
            ModelArtifact artifact = inService.get();
            ModelMetadata metadata = artifact.metadata();
            try {
                prepare(artifact);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("explanation.unavailable version=%s backbone=%s reason=\"%s\"", served,
                        metadata.backboneId(), e.getMessage());
                return new Unavailable("version " + served + " on backbone " + metadata.backboneId()
                        + " cannot be explained here: " + e.getMessage());
            }
            Saliency saliency = GradCamNetwork.explain(backbone, head, image);
            return new Explained(scanId, served, backbone.backboneId(), backbone.layer(), saliency);
        } finally {
            oneAtATime.release();
        }
    }

    /** The version's backbone and head on PyTorch, reusing what is loaded and releasing what no longer serves. */
    private void prepare(ModelArtifact artifact) throws IOException {
        ModelMetadata metadata = artifact.metadata();
        if (backbone != null && !backbone.backboneId().equals(metadata.backboneId())) {
            release();
        }
        if (head != null && !Objects.equals(headVersion, metadata.servedVersion())) {
            head.close();
            head = null;
            headVersion = null;
        }
        if (backbone == null) {
            long start = System.nanoTime();
            DifferentiableBackbone loaded = backbones.load(metadata);
            if (!loaded.backboneId().equals(metadata.backboneId())) {
                loaded.close();
                throw new IllegalStateException("the PyTorch copy reports backbone " + loaded.backboneId()
                        + ", the version names " + metadata.backboneId());
            }
            backbone = loaded;
            LOG.infof("explanation.backbone-loaded backbone=%s layer=%s took=%dms", backbone.backboneId(),
                    backbone.layer(), (System.nanoTime() - start) / 1_000_000);
        }
        if (head == null) {
            head = ClassificationHead.fromArtifact(artifact);
            headVersion = metadata.servedVersion();
        }
    }

    /**
     * Releases the PyTorch copies that no longer serve: everything when no version is in service (or it was
     * withdrawn), the backbone when the version in service is on another one, the head when it is another version.
     * Skipped while an explanation runs (it does the same itself).
     */
    public void releaseIfStale() {
        if (!oneAtATime.tryAcquire()) {
            return;
        }
        try {
            Optional<ModelMetadata> inService = versions.servingArtifact().map(ModelArtifact::metadata)
                    .filter(m -> !withdrawn.test(m.servedVersion()));
            if (inService.isEmpty() || backbone != null && !backbone.backboneId().equals(inService.get().backboneId())) {
                release();
            } else if (head != null && !Objects.equals(headVersion, inService.get().servedVersion())) {
                head.close();
                head = null;
                headVersion = null;
            }
        } finally {
            oneAtATime.release();
        }
    }

    private void release() {
        if (head != null) {
            head.close();
            head = null;
            headVersion = null;
        }
        if (backbone != null) {
            LOG.infof("explanation.backbone-released backbone=%s", backbone.backboneId());
            backbone.close();
            backbone = null;
        }
    }

    /** Waits for a running explanation, then releases the models. */
    @Override
    public void close() {
        oneAtATime.acquireUninterruptibly();
        try {
            release();
        } finally {
            oneAtATime.release();
        }
    }
}
