package io.scanstream.training.domain;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The versions of one model on {@code models.published}, in topic order (oldest first), and the rules about them:
 * the newest record is the one in service (a rollback record serves the version it restores), what can be rolled
 * back to, and which published backbones must be kept. Only records a consumer would believe belong here (signed
 * by a trusted key, readable, weights matching their sha256): the one partition's order is the publication order,
 * so "newest" is the last such record, never a timestamp.
 */
public final class ModelHistory {

    private final List<ModelArtifact> versions;

    private ModelHistory(List<ModelArtifact> versions) {
        this.versions = List.copyOf(versions);
    }

    /** {@code published} in topic order; records whose weights do not match their sha256 are left out. */
    public static ModelHistory of(List<ModelArtifact> published) {
        return new ModelHistory(published.stream().filter(ModelArtifact::integrityVerified).toList());
    }

    public static ModelHistory empty() {
        return new ModelHistory(List.of());
    }

    /** Oldest first. */
    public List<ModelArtifact> versions() {
        return versions;
    }

    /** Newest first, as the API lists them. */
    public List<ModelArtifact> newestFirst() {
        List<ModelArtifact> reversed = new ArrayList<>(versions);
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    /** The newest record: what inference serves and what training's gate takes as champion. */
    public Optional<ModelArtifact> newest() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** The version whose weights serve now (the newest record's, or the version a rollback restored). */
    public Optional<String> servingVersion() {
        return newest().map(a -> a.metadata().servedVersion());
    }

    /**
     * Whether {@code artifact} is the version whose weights serve: exactly one trained version when any exists (after
     * a rollback, the restored version, not the rollback record: predictions carry the restored version's id).
     */
    public boolean serving(ModelArtifact artifact) {
        return artifact.metadata().rollbackOf() == null
                && servingVersion().filter(artifact.metadata().version()::equals).isPresent();
    }

    public Optional<ModelArtifact> find(String version) {
        return versions.stream().filter(a -> a.metadata().version().equals(version)).findFirst();
    }

    /**
     * How a version was trained: {@code FULL_NETWORK} when it is the first version on its published backbone (the
     * fine-tuning run that produced the backbone published it), else {@code HEAD}. A rollback record has the mode
     * of the version it restores.
     */
    public TrainingMode mode(ModelArtifact artifact) {
        ModelMetadata m = artifact.metadata();
        if (m.rollbackOf() != null) {
            return find(m.rollbackOf()).filter(a -> a.metadata().rollbackOf() == null).map(this::mode)
                    .orElse(TrainingMode.HEAD);
        }
        BackboneRef ref = m.backbone();
        if (ref == null || ref.source() != BackboneRef.Source.PUBLISHED) {
            return TrainingMode.HEAD;
        }
        for (ModelArtifact a : versions) {
            ModelMetadata earlier = a.metadata();
            if (earlier.version().equals(m.version())) {
                return TrainingMode.FULL_NETWORK;
            }
            if (ref.id().equals(earlier.backboneId())) {
                return TrainingMode.HEAD;
            }
        }
        return TrainingMode.FULL_NETWORK;
    }

    /**
     * The published backbones to keep: those of the newest {@code newestVersions} records and of the version in
     * service. Older versions keep their head on the topic, but once their backbone is retired they can no longer
     * be rolled back to ({@link #restore}): a compacted topic of every fine-tuned backbone ever made would grow
     * without bound (9 to 550 MB each), and every new inference replica reads all of it.
     */
    public Set<String> backbonesToKeep(int newestVersions) {
        if (newestVersions < 1) {
            throw new IllegalArgumentException("keep the backbones of at least 1 version, got " + newestVersions);
        }
        Set<String> keep = new LinkedHashSet<>();
        List<ModelArtifact> newest = newestFirst();
        for (int i = 0; i < Math.min(newestVersions, newest.size()); i++) {
            publishedBackbone(newest.get(i)).ifPresent(keep::add);
        }
        servingVersion().flatMap(this::find).flatMap(ModelHistory::publishedBackbone).ifPresent(keep::add);
        return keep;
    }

    private static Optional<String> publishedBackbone(ModelArtifact artifact) {
        BackboneRef ref = artifact.metadata().backbone();
        return ref != null && ref.source() == BackboneRef.Source.PUBLISHED ? Optional.of(ref.id()) : Optional.empty();
    }

    /** What a rollback to a version would restore. */
    public sealed interface Restore permits Restorable, Unknown, NotRestorable {
    }

    /** {@code original}: the trained version whose artifact a rollback record republishes. */
    public record Restorable(ModelArtifact original) implements Restore {
    }

    public record Unknown(String detail) implements Restore {
    }

    public record NotRestorable(String detail) implements Restore {
    }

    /**
     * Whether {@code version} can be served again. A rollback record resolves to the version it restored. Not
     * restorable: the version that serves now; a head on a bootstrap backbone other than {@code bootstrapId} (the
     * file every service is configured with changed since); a head whose published backbone is no longer complete
     * on {@code models.backbones} ({@code backboneAvailable} says, e.g. retired by {@link #backbonesToKeep}).
     */
    public Restore restore(String version, String bootstrapId, Predicate<BackboneRef> backboneAvailable) {
        if (version == null || version.isBlank()) {
            return new Unknown("no version given");
        }
        Optional<ModelArtifact> found = find(version);
        if (found.isEmpty()) {
            return new Unknown("no version " + version + " on the models topic");
        }
        String original = found.get().metadata().servedVersion();
        Optional<ModelArtifact> target = find(original);
        if (target.isEmpty()) {
            return new NotRestorable(version + " restores " + original + ", which is no longer on the models topic");
        }
        ModelMetadata m = target.get().metadata();
        if (servingVersion().filter(original::equals).isPresent()) {
            return new NotRestorable(original + " is the version in service already");
        }
        BackboneRef ref = m.backbone();
        if (ref == null || ref.source() == BackboneRef.Source.BOOTSTRAP) {
            if (!m.backboneId().equals(bootstrapId)) {
                return new NotRestorable(original + " was trained on bootstrap backbone " + m.backboneId()
                        + "; the services are configured with " + bootstrapId);
            }
        } else if (!backboneAvailable.test(ref)) {
            return new NotRestorable(original + " runs on published backbone " + ref.id()
                    + ", which is no longer complete on the backbones topic (retired)");
        }
        return new Restorable(target.get());
    }

    /**
     * The rollback record: {@code original}'s artifact (head weights, backbone reference, metrics, lineage)
     * unchanged, under a new version id, created at {@code at}, naming the version it restores.
     */
    public static ModelArtifact rollback(ModelArtifact original, String newVersion, OffsetDateTime at) {
        return new ModelArtifact(original.metadata().asRollback(newVersion, at), original.weights());
    }

    /** All the model names' backbones to keep, for the retention of several models' histories together. */
    public static Set<String> backbonesToKeep(List<ModelHistory> histories, int newestVersions) {
        Set<String> keep = new HashSet<>();
        histories.forEach(h -> keep.addAll(h.backbonesToKeep(newestVersions)));
        return keep;
    }
}
