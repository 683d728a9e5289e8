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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The networks inference serves: a backbone and a head, changed together. Versions arrive from
 * {@code models.published} on the consumer's thread and are checked there (model name, sha256, backbone, input
 * width); the version's backbone is the configured bootstrap file (v1 versions, and v2 versions that say so) or a
 * published backbone from the {@link BackboneLibrary}, loaded and warmed up (every batch shape) before it is
 * offered; a version whose backbone has not fully arrived waits for it. The batch thread takes the newest network
 * between batches ({@link #forNextBatch()}), so a swap never happens inside a batch and no scan is dropped. A
 * refused version leaves the serving network in place. At most two backbones are resident after a swap (the
 * serving one and a pending one); the one a swap replaces is closed.
 *
 * <p>Before a version is offered it passes the {@link ValidationBatch} (recently served inputs and synthetic scans):
 * a NaN or infinite embedding or probability, or a forward pass that throws, refuses it (NON_FINITE_OUTPUT,
 * FORWARD_FAILED). A version that passed but is withdrawn in service by the {@link OutputGuard} ({@link #withdrawn})
 * is replaced by the last good one: the newest earlier accepted version not withdrawn, loaded again from its
 * artifact (and its backbone from the {@link BackboneLibrary} if it is no longer resident) on a thread of its own,
 * validated like any other; until it is pending the withdrawn version's backbone serves alone. A withdrawn version
 * (its weights, under any record) is not served again by this replica: withdrawals are not published, so a
 * restarted replica starts afresh from the replay.
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
        INVALID_METADATA,
        /** NaN or infinite embedding or probability on the validation batch ({@link ValidationBatch}). */
        NON_FINITE_OUTPUT,
        /** The forward pass over the validation batch threw (an Error of the natives included). */
        FORWARD_FAILED,
        /** Weights this replica withdrew in service for non-finite outputs (see {@link OutputGuard}). */
        WITHDRAWN
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
    private final ValidationBatch validation;
    /** Where fallbacks load, off the batch thread; owned (shut down on close) when this class made it. */
    private final Executor fallbacks;
    private final ExecutorService ownFallbacks;
    /** Accepted versions, newest last, at most {@link #HISTORY}: where a withdrawal falls back to. */
    private final Deque<ModelArtifact> history = new ArrayDeque<>();
    /** Served versions withdrawn for non-finite outputs: never served again by this replica. */
    private final Set<String> withdrawnVersions = ConcurrentHashMap.newKeySet();
    /** Counts versions accepted from the topic (under {@link #offers}): a fallback never overrides a newer one. */
    private volatile long generation;
    private volatile Refused lastRefusal;
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

    /** Accepted versions kept to fall back to (the serving one and two before it): heads are a few MB each. */
    static final int HISTORY = 3;

    /** With a validation batch of the default size at batch size 1, fallbacks on a thread of its own. */
    public ModelVersions(String modelName, BackboneLoader loader, BackboneLibrary library, Observer observer)
            throws IOException {
        this(modelName, loader, library, observer, new ValidationBatch(ValidationBatch.DEFAULT_SIZE, List.of(1)), null);
    }

    /**
     * Starts serving the bootstrap backbone, with no head (predictions UNDETERMINED until a version arrives).
     *
     * @param fallbacks where a withdrawal's fallback is loaded; null: a daemon thread of this instance's own
     */
    public ModelVersions(String modelName, BackboneLoader loader, BackboneLibrary library, Observer observer,
                         ValidationBatch validation, Executor fallbacks) throws IOException {
        this.modelName = modelName;
        this.loader = loader;
        this.library = library;
        this.observer = observer;
        this.validation = validation;
        if (fallbacks == null) {
            this.ownFallbacks = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "inference-model-fallback");
                t.setDaemon(true);
                return t;
            });
            this.fallbacks = ownFallbacks;
        } else {
            this.ownFallbacks = null;
            this.fallbacks = fallbacks;
        }
        this.serving = new ServingNetwork(loader.loadBootstrap(), Optional.empty());
        library.onChange(this::backboneChanged);
    }

    /** Checks and loads a published version; on success it is served from the next batch on. */
    public Verdict offer(ModelArtifact artifact) {
        Verdict verdict;
        synchronized (offers) {
            verdict = check(artifact);
            if (verdict instanceof Accepted) {
                generation++;
            }
        }
        if (verdict instanceof Refused r && r.reason() != RefusalReason.OTHER_MODEL) {
            counted(r);
        }
        return verdict;
    }

    private void counted(Refused refused) {
        lastRefusal = refused;
        observer.refused(refused.reason());
    }

    /** The inputs new versions are validated on; the batch thread adds what it served. */
    public ValidationBatch validation() {
        return validation;
    }

    /** The last version refused (any reason but another model's), for health. */
    public Optional<Refused> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    /** Served versions withdrawn for non-finite outputs on this replica. */
    public Set<String> withdrawnVersions() {
        return Set.copyOf(withdrawnVersions);
    }

    /** A record on the models topic that is not a readable version at all. */
    public void unreadable() {
        observer.refused(RefusalReason.UNREADABLE);
    }

    /** A record refused before it was read (its signature, its metadata): counted; the serving network stays. */
    public Refused refuse(Refused refused) {
        counted(refused);
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
        if (withdrawnVersions.contains(metadata.servedVersion())) {
            return new Refused(version, RefusalReason.WITHDRAWN, "the weights of version " + metadata.servedVersion()
                    + " were withdrawn on this replica for non-finite outputs");
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
                        : loader.load(published.manifest(), published.weights());
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
            Optional<ValidationBatch.Failure> failure = validation.check(backbone, head);
            if (failure.isPresent()) {
                head.close();
                if (!loaded && !resident(backbone)) {
                    return null; // the shared backbone was closed by a swap during the check: not the version's fault
                }
                closeIfLoaded(backbone, loaded);
                return new Refused(version, failure.get().reason(), failure.get().detail());
            }
            if (!offerPending(new ServingNetwork(backbone, Optional.of(new ServingHead(head, metadata))), loaded)) {
                head.close();
                return null;
            }
            keepArtifact(artifact);
            remember(artifact);
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

    private synchronized boolean resident(FeatureExtractor backbone) {
        return serving.backbone() == backbone || pending != null && pending.backbone() == backbone;
    }

    private void remember(ModelArtifact artifact) {
        synchronized (history) {
            String version = artifact.metadata().version();
            history.removeIf(a -> a.metadata().version().equals(version));
            history.addLast(artifact);
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
    }

    /**
     * The {@link OutputGuard} withdrew {@code head} (the batch thread, which serves its backbone alone from now on):
     * its weights are never served again here, and the last good version is loaded to replace it, unless a newer
     * version is already pending or is accepted first.
     */
    public void withdrawn(ServingHead head) {
        String version = head.version();
        withdrawnVersions.add(version);
        long at = generation;
        List<ModelArtifact> candidates = fallbackCandidates();
        synchronized (this) {
            if (pending != null) {
                LOG.infof("model.fallback withdrawn=%s to=none reason=\"a newer version is about to serve\"", version);
                return;
            }
        }
        if (candidates.isEmpty()) {
            LOG.warnf("model.fallback withdrawn=%s to=none reason=\"no earlier version accepted here\"; its backbone"
                    + " serves alone (UNDETERMINED) until another version is accepted", version);
            return;
        }
        try {
            fallbacks.execute(() -> fallBack(version, at, candidates));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.infof("model.fallback withdrawn=%s to=none reason=\"shutting down\"", version);
        }
    }

    /** Earlier accepted versions not withdrawn, newest first: the fallback's candidates. */
    List<ModelArtifact> fallbackCandidates() {
        List<ModelArtifact> candidates = new ArrayList<>();
        synchronized (history) {
            history.descendingIterator().forEachRemaining(a -> {
                if (!withdrawnVersions.contains(a.metadata().servedVersion())) {
                    candidates.add(a);
                }
            });
        }
        return candidates;
    }

    private void fallBack(String withdrawn, long at, List<ModelArtifact> candidates) {
        synchronized (offers) {
            synchronized (this) {
                if (generation != at || pending != null) {
                    LOG.infof("model.fallback withdrawn=%s to=none reason=\"a newer version was accepted meanwhile\"",
                            withdrawn);
                    return;
                }
            }
            for (ModelArtifact candidate : candidates) {
                String version = candidate.metadata().version();
                if (!backboneAvailable(candidate)) {
                    LOG.warnf("model.fallback-skipped withdrawn=%s candidate=%s reason=\"backbone %s is no longer"
                            + " published\"", withdrawn, version, candidate.metadata().backboneId());
                    continue;
                }
                Verdict verdict = check(candidate);
                if (verdict instanceof Accepted || verdict instanceof AlreadyServing) {
                    LOG.warnf("model.fallback withdrawn=%s to=%s backbone=%s (served from the next batch)", withdrawn,
                            candidate.metadata().servedVersion(), candidate.metadata().backboneId());
                    return;
                }
                if (verdict instanceof Refused r) {
                    counted(r);
                    LOG.warnf("model.fallback-refused withdrawn=%s candidate=%s reason=%s detail=\"%s\"", withdrawn,
                            version, r.reason(), r.detail());
                }
            }
            LOG.warnf("model.fallback withdrawn=%s to=none reason=\"no earlier version loads and validates\"; its"
                    + " backbone serves alone (UNDETERMINED) until another version is accepted", withdrawn);
        }
    }

    /** Whether a version's backbone can be had without waiting: the bootstrap file, or a published one ready. */
    private boolean backboneAvailable(ModelArtifact artifact) {
        BackboneRef ref = artifact.metadata().backbone();
        return ref == null || ref.source() == BackboneRef.Source.BOOTSTRAP
                || library.status(ref.id()) instanceof BackboneLibrary.Ready;
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
        if (ownFallbacks != null) {
            ownFallbacks.shutdownNow();
        }
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
