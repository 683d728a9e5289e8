package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetadataCheck;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.head.HeadWeightsCheck;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The networks inference serves: a backbone and a head, changed together. Versions arrive from
 * {@code models.published} on the consumer's thread and are checked there (model name, sha256, backbone, input
 * width); the version's backbone is the configured bootstrap file (v1 versions, and v2 versions that say so) or a
 * published backbone from the {@link BackboneLibrary}, loaded and warmed up (every batch shape) before it is
 * offered; a version whose backbone has not fully arrived waits for it. The batch thread takes the newest network
 * between batches ({@link #forNextBatch()}), so a swap never happens inside a batch and no scan is dropped. A
 * refused version leaves the serving network in place. At most two backbones are resident after a swap (the
 * serving one and a pending one); the one a swap replaces is closed.
 */
public final class ModelVersions implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelVersions.class);

    /** What happened to an offered version. */
    public sealed interface Verdict permits Accepted, Refused, AlreadyServing, AwaitingBackbone {
    }

    public record Accepted(String version) implements Verdict {
    }

    public record Refused(String version, RefusalReason reason, String detail) implements Verdict {
    }

    public record AlreadyServing(String version) implements Verdict {
    }

    /** The version's backbone is not (yet) fully on {@code models.backbones}: it is served once it is. */
    public record AwaitingBackbone(String version, String backboneId) implements Verdict {
    }

    /** Why a published version is not served (the metric's {@code reason} tag). */
    public enum RefusalReason {
        /** Another model's version on the shared topic: not ours, not counted. */
        OTHER_MODEL,
        /** The record is not a readable model version. */
        UNREADABLE,
        SHA256_MISMATCH,
        /** A v1 version (or a bootstrap reference) naming another backbone than the configured bootstrap file. */
        BACKBONE_MISMATCH,
        /** The published backbone's chunks do not assemble into the weights its manifest describes. */
        CORRUPT_BACKBONE,
        /**
         * The backbone's manifest is there but chunks are not: they precede it on the one partition, so they are
         * gone for good (lost, or retired by tombstones).
         */
        INCOMPLETE_BACKBONE,
        SHAPE_MISMATCH,
        UNLOADABLE,
        /** No {@code ce_signature}/{@code ce_signaturekeyid} while {@code inference.signing.required=true}. */
        UNSIGNED,
        /** A signature that does not verify over the record's bytes with the key it names (or is malformed). */
        BAD_SIGNATURE,
        /** Signed with a key that is not among {@code inference.signing.trusted-keys}. */
        UNKNOWN_KEY,
        /**
         * Metadata out of bounds (threshold outside [0, 1], a number that is not finite, a width or size beyond the
         * limits) or weights whose declared shapes and lengths are not the head's: found before any allocation.
         */
        INVALID_METADATA
    }

    /** Told about swaps and refusals, for metrics. */
    public interface Observer {
        Observer NONE = new Observer() { };

        /** A new network serves from now: head version {@code to} (null: none yet) on {@code backboneId}. */
        default void swapped(String from, String to, OffsetDateTime createdAt, String backboneId) {
        }

        /** A version refused (never called for another model's versions: they are not ours). */
        default void refused(RefusalReason reason) {
        }
    }

    private final String modelName;
    /** Offers come from two consumer threads (versions, backbones): one at a time. */
    private final Object offers = new Object();
    private final BackboneLoader loader;
    private final BackboneLibrary library;
    private final Observer observer;
    private ServingNetwork serving;
    private ServingNetwork pending;
    private ModelArtifact awaiting;
    /** The record version accepted last (a record offered again is not loaded again). */
    private volatile String latestAccepted;
    /** The version its predictions carry (for a rollback record, the version it restores). */
    private volatile String latestServed;
    /**
     * The artifacts of the heads in the serving and pending networks, by the version predictions carry: what
     * explanations rebuild.
     */
    private final Map<String, ModelArtifact> artifacts = new ConcurrentHashMap<>();

    /** Starts serving the bootstrap backbone, with no head (predictions UNDETERMINED until a version arrives). */
    public ModelVersions(String modelName, BackboneLoader loader, BackboneLibrary library, Observer observer)
            throws IOException {
        this.modelName = modelName;
        this.loader = loader;
        this.library = library;
        this.observer = observer;
        this.serving = new ServingNetwork(loader.loadBootstrap(), Optional.empty());
        library.onChange(this::backboneChanged);
    }

    /** Checks and loads a published version; on success it is served from the next batch on. */
    public Verdict offer(ModelArtifact artifact) {
        Verdict verdict;
        synchronized (offers) {
            verdict = check(artifact);
        }
        if (verdict instanceof Refused r && r.reason() != RefusalReason.OTHER_MODEL) {
            observer.refused(r.reason());
        }
        return verdict;
    }

    /** A record on the models topic that is not a readable version at all. */
    public void unreadable() {
        observer.refused(RefusalReason.UNREADABLE);
    }

    /** A record refused before it was read (its signature, its metadata): counted; the serving network stays. */
    public Refused refuse(Refused refused) {
        observer.refused(refused.reason());
        return refused;
    }

    private Verdict check(ModelArtifact artifact) {
        ModelMetadata metadata = artifact.metadata();
        String version = metadata.version();
        if (!modelName.equals(metadata.modelName())) {
            return new Refused(version, RefusalReason.OTHER_MODEL, "model " + metadata.modelName() + " is not "
                    + modelName);
        }
        if (version.equals(latestAccepted)) {
            return new AlreadyServing(version);
        }
        List<String> problems = ModelMetadataCheck.problems(metadata);
        if (!problems.isEmpty()) {
            return new Refused(version, RefusalReason.INVALID_METADATA, String.join("; ", problems));
        }
        if (!artifact.integrityVerified()) {
            return new Refused(version, RefusalReason.SHA256_MISMATCH, "weights do not hash to the declared sha256 "
                    + metadata.weightsSha256());
        }
        try {
            // before a backbone is loaded or a head allocated: the weights' declared shapes and lengths
            HeadWeightsCheck.check(metadata.head(), artifact.weights());
        } catch (IllegalArgumentException e) {
            return new Refused(version, RefusalReason.INVALID_METADATA, e.getMessage());
        }
        BackboneRef ref = metadata.backbone();
        if (ref == null || ref.source() == BackboneRef.Source.BOOTSTRAP) {
            if (!loader.bootstrapId().equals(metadata.backboneId())) {
                return new Refused(version, RefusalReason.BACKBONE_MISMATCH, "trained on backbone "
                        + metadata.backboneId() + ", the bootstrap backbone here is " + loader.bootstrapId());
            }
            return accept(artifact, null);
        }
        BackboneLibrary.Status status = library.status(ref.id());
        if (status instanceof BackboneLibrary.Corrupt corrupt) {
            return new Refused(version, RefusalReason.CORRUPT_BACKBONE, corrupt.reason());
        }
        if (status instanceof BackboneLibrary.Incomplete incomplete) {
            return new Refused(version, RefusalReason.INCOMPLETE_BACKBONE, "the published backbone has "
                    + incomplete.present() + " of its " + incomplete.expected() + " chunks; missing "
                    + incomplete.missing());
        }
        if (status instanceof BackboneLibrary.Ready ready) {
            if (!ready.manifest().sha256().equalsIgnoreCase(ref.sha256())) {
                return new Refused(version, RefusalReason.CORRUPT_BACKBONE, "the published backbone hashes to "
                        + ready.manifest().sha256() + ", the version names " + ref.sha256());
            }
            return accept(artifact, ready);
        }
        synchronized (this) {
            awaiting = artifact;
        }
        return new AwaitingBackbone(version, ref.id());
    }

    /** Loads (unless already resident) and warms the backbone, loads the head, and makes the network pending. */
    private Verdict accept(ModelArtifact artifact, BackboneLibrary.Ready published) {
        Verdict verdict = accept(artifact, published, resident(artifact.metadata().backboneId()));
        // A swap may have closed the shared backbone meanwhile (it was the serving one's): load our own.
        return verdict == null ? accept(artifact, published, null) : verdict;
    }

    /** @return the verdict, or null when {@code shared} was closed by a swap before the network could be pending */
    private Verdict accept(ModelArtifact artifact, BackboneLibrary.Ready published, FeatureExtractor shared) {
        ModelMetadata metadata = artifact.metadata();
        String version = metadata.version();
        FeatureExtractor backbone = shared;
        boolean loaded = backbone == null;
        try {
            if (loaded) {
                // At most two backbones resident: a network still pending (not yet swapped in) on a backbone of
                // its own is dropped before a third is loaded; the newer version supersedes it anyway.
                dropPendingWithOwnBackbone();
                backbone = published == null ? loader.loadBootstrap()
                        : loader.load(metadata.backbone(), published.weights());
                if (!backbone.backboneId().equals(metadata.backboneId())) {
                    backbone.close();
                    return new Refused(version, RefusalReason.BACKBONE_MISMATCH, "the loaded backbone reports "
                            + backbone.backboneId() + ", the version names " + metadata.backboneId());
                }
                loader.warmUp(backbone);
            }
            if (metadata.head().inputDim() != backbone.featureDim()) {
                closeIfLoaded(backbone, loaded);
                return new Refused(version, RefusalReason.SHAPE_MISMATCH, "head takes " + metadata.head().inputDim()
                        + " features, the backbone gives " + backbone.featureDim());
            }
            ClassificationHead head = ClassificationHead.fromArtifact(artifact);
            if (!offerPending(new ServingNetwork(backbone, Optional.of(new ServingHead(head, metadata))), loaded)) {
                head.close();
                return null;
            }
            keepArtifact(artifact);
            latestAccepted = version;
            latestServed = metadata.servedVersion();
            return new Accepted(version);
        } catch (IOException | RuntimeException e) {
            closeIfLoaded(backbone, loaded);
            return new Refused(version, RefusalReason.UNLOADABLE, "does not load: " + e.getMessage());
        }
    }

    /** A backbone of the serving or the pending network with this id, to share rather than load again. */
    private synchronized FeatureExtractor resident(String backboneId) {
        if (pending != null && pending.backboneId().equals(backboneId)) {
            return pending.backbone();
        }
        return serving.backboneId().equals(backboneId) ? serving.backbone() : null;
    }

    private synchronized void dropPendingWithOwnBackbone() {
        if (pending != null && pending.backbone() != serving.backbone()) {
            LOG.infof("model.pending-dropped version=%s backbone=%s reason=\"a newer version needs another backbone\"",
                    pending.head().map(ServingHead::version).orElse(null), pending.backboneId());
            pending.head().ifPresent(h -> h.head().close());
            pending.backbone().close();
            pending = null;
            latestAccepted = serving.head().map(h -> h.metadata().version()).orElse(null);
            latestServed = serving.head().map(ServingHead::version).orElse(null);
        }
    }

    /** @return false when the network shares a backbone that is no longer resident (closed by a swap) */
    private synchronized boolean offerPending(ServingNetwork network, boolean ownBackbone) {
        boolean resident = network.backbone() == serving.backbone()
                || pending != null && network.backbone() == pending.backbone();
        if (!ownBackbone && !resident) {
            return false;
        }
        ServingNetwork replaced = pending;
        pending = network;
        if (replaced != null) {
            // never served: a newer version arrived first
            replaced.head().ifPresent(h -> h.head().close());
            if (replaced.backbone() != network.backbone() && replaced.backbone() != serving.backbone()) {
                replaced.backbone().close();
            }
        }
        return true;
    }

    private void closeIfLoaded(FeatureExtractor backbone, boolean loaded) {
        if (loaded && backbone != null) {
            backbone.close();
        }
    }

    /** A backbone finished arriving (or turned out corrupt): the version waiting for it goes on. */
    private void backboneChanged(String backboneId, BackboneLibrary.Status status) {
        ModelArtifact waiting;
        synchronized (this) {
            waiting = awaiting != null && backboneId.equals(awaiting.metadata().backboneId()) ? awaiting : null;
            if (waiting != null) {
                awaiting = null;
            }
        }
        if (waiting != null) {
            Verdict verdict = offer(waiting);
            LOG.infof("model.backbone-arrived backbone=%s version=%s verdict=%s", backboneId,
                    waiting.metadata().version(), verdict);
        }
    }

    /** For the batch thread, between batches: the network to use, switching to a newly accepted one if any. */
    public ServingNetwork forNextBatch() {
        ServingNetwork old;
        ServingNetwork next;
        synchronized (this) {
            if (pending == null) {
                return serving;
            }
            old = serving;
            next = pending;
            serving = next;
            pending = null;
        }
        String from = old.head().map(ServingHead::version).orElse(null);
        String to = next.head().map(ServingHead::version).orElse(null);
        LOG.infof("model.swapped from=%s to=%s backbone=%s->%s", from, to, old.backboneId(), next.backboneId());
        observer.swapped(from, to, next.head().map(h -> h.metadata().createdAt()).orElse(null), next.backboneId());
        old.head().ifPresent(h -> h.head().close());
        if (old.backbone() != next.backbone()) {
            old.backbone().close(); // the batch thread is the only user: safe to close here
        }
        return next;
    }

    /**
     * The version the next batch is served with (accepted, possibly not yet swapped in), as predictions carry it,
     * for health and the API.
     */
    public Optional<String> servingVersion() {
        return Optional.ofNullable(latestServed);
    }

    /**
     * The artifact of the version {@link #servingVersion()} names (its head weights and backbone reference), for
     * explanations, which rebuild the network on PyTorch; empty before any version is accepted.
     */
    public Optional<ModelArtifact> servingArtifact() {
        String version = latestServed;
        return version == null ? Optional.empty() : Optional.ofNullable(artifacts.get(version));
    }

    /** Remembers an accepted version's artifact, forgetting those of heads no longer serving or pending. */
    private void keepArtifact(ModelArtifact artifact) {
        artifacts.put(artifact.metadata().servedVersion(), artifact);
        synchronized (this) {
            java.util.Set<String> live = new java.util.HashSet<>();
            serving.head().ifPresent(h -> live.add(h.version()));
            if (pending != null) {
                pending.head().ifPresent(h -> live.add(h.version()));
            }
            live.add(artifact.metadata().servedVersion());
            artifacts.keySet().retainAll(live);
        }
    }

    /** The backbone of the network the next batch runs (pending if any, else serving), for health and the API. */
    public synchronized FeatureExtractor currentBackbone() {
        return pending != null ? pending.backbone() : serving.backbone();
    }

    @Override
    public synchronized void close() {
        if (pending != null) {
            pending.head().ifPresent(h -> h.head().close());
            if (pending.backbone() != serving.backbone()) {
                pending.backbone().close();
            }
            pending = null;
        }
        serving.head().ifPresent(h -> h.head().close());
        serving.backbone().close();
    }
}
