package io.scanstream.inference.domain;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.model.head.ClassificationHead;

import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The head versions inference serves. Versions arrive from {@code models.published} on the consumer's thread and
 * are checked there (model name, sha256, backbone id, input width) and loaded; the batch thread takes the newest
 * between batches ({@link #forNextBatch()}), so a swap never happens inside a batch and no scan is dropped. A
 * refused version leaves the serving one in place.
 */
public final class ModelVersions implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelVersions.class);

    /** What happened to an offered version. */
    public sealed interface Verdict permits Accepted, Refused, AlreadyServing {
    }

    public record Accepted(String version) implements Verdict {
    }

    public record Refused(String version, RefusalReason reason, String detail) implements Verdict {
    }

    /** Why a published version is not served (the metric's {@code reason} tag). */
    public enum RefusalReason {
        /** Another model's version on the shared topic: not ours, not counted. */
        OTHER_MODEL,
        /** The record is not a readable model version. */
        UNREADABLE,
        SHA256_MISMATCH,
        BACKBONE_MISMATCH,
        SHAPE_MISMATCH,
        UNLOADABLE
    }

    public record AlreadyServing(String version) implements Verdict {
    }

    /** Told about swaps, for metrics. */
    public interface Observer {
        Observer NONE = new Observer() { };

        default void swapped(String from, String to, java.time.OffsetDateTime createdAt) {
        }

        /** A version refused (never called for another model's versions: they are not ours). */
        default void refused(RefusalReason reason) {
        }
    }

    private final String modelName;
    private final String backboneId;
    private final int featureDim;
    private final Observer observer;
    private final AtomicReference<ServingHead> pending = new AtomicReference<>();
    private volatile ServingHead serving;
    private volatile String latestAccepted;

    public ModelVersions(String modelName, String backboneId, int featureDim, Observer observer) {
        this.modelName = modelName;
        this.backboneId = backboneId;
        this.featureDim = featureDim;
        this.observer = observer;
    }

    /** Checks and loads a published version; on success it is served from the next batch on. */
    public Verdict offer(ModelArtifact artifact) {
        Verdict verdict = check(artifact);
        if (verdict instanceof Refused r && r.reason() != RefusalReason.OTHER_MODEL) {
            observer.refused(r.reason());
        }
        return verdict;
    }

    /** A record on the models topic that is not a readable version at all. */
    public void unreadable() {
        observer.refused(RefusalReason.UNREADABLE);
    }

    private Verdict check(ModelArtifact artifact) {
        ModelMetadata metadata = artifact.metadata();
        String version = metadata.version();
        if (!modelName.equals(metadata.modelName())) {
            return new Refused(version, RefusalReason.OTHER_MODEL, "model " + metadata.modelName() + " is not " + modelName);
        }
        if (version.equals(latestAccepted)) {
            return new AlreadyServing(version);
        }
        if (!artifact.integrityVerified()) {
            return new Refused(version, RefusalReason.SHA256_MISMATCH, "weights do not hash to the declared sha256 "
                    + metadata.weightsSha256());
        }
        if (!backboneId.equals(metadata.backboneId())) {
            return new Refused(version, RefusalReason.BACKBONE_MISMATCH, "trained on backbone " + metadata.backboneId()
                    + ", this replica serves " + backboneId);
        }
        if (metadata.head().inputDim() != featureDim) {
            return new Refused(version, RefusalReason.SHAPE_MISMATCH, "head takes " + metadata.head().inputDim()
                    + " features, the backbone gives " + featureDim);
        }
        ClassificationHead head;
        try {
            head = ClassificationHead.fromArtifact(artifact);
        } catch (RuntimeException e) {
            return new Refused(version, RefusalReason.UNLOADABLE, "weights do not load: " + e.getMessage());
        }
        ServingHead replaced = pending.getAndSet(new ServingHead(head, metadata));
        if (replaced != null) {
            replaced.head().close(); // never served: a newer version arrived first
        }
        latestAccepted = version;
        return new Accepted(version);
    }

    /** For the batch thread, between batches: the version to use, switching to a newly accepted one if any. */
    public Optional<ServingHead> forNextBatch() {
        ServingHead next = pending.getAndSet(null);
        if (next != null) {
            ServingHead old = serving;
            serving = next;
            LOG.infof("model.swapped from=%s to=%s backbone=%s", old == null ? null : old.version(), next.version(),
                    backboneId);
            observer.swapped(old == null ? null : old.version(), next.version(), next.metadata().createdAt());
            if (old != null) {
                old.head().close();
            }
        }
        return Optional.ofNullable(serving);
    }

    /** The version the next batch is served with (accepted, possibly not yet swapped in), for health and the API. */
    public Optional<String> servingVersion() {
        return Optional.ofNullable(latestAccepted);
    }

    public String backboneId() {
        return backboneId;
    }

    @Override
    public void close() {
        ServingHead p = pending.getAndSet(null);
        if (p != null) {
            p.head().close();
        }
        ServingHead s = serving;
        serving = null;
        if (s != null) {
            s.head().close();
        }
    }
}
