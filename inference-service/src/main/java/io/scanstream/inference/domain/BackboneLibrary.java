package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.contract.BackboneChunk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The published backbones as {@code models.backbones} delivers them: chunks collected per backbone, assembled when
 * the manifest is there, verified (size, sha256) and written to the cache folder, from which they load. Nothing is
 * ready before every chunk is present and the whole hashes to the manifest's sha256; a corrupt backbone stays
 * refused until a new manifest or chunk changes it. Thread-safe.
 */
public final class BackboneLibrary {

    /** Where a backbone stands. */
    public sealed interface Status permits Unknown, Incomplete, Corrupt, Ready {
    }

    public record Unknown() implements Status {
    }

    public record Incomplete(int present, int expected, List<Integer> missing) implements Status {
    }

    public record Corrupt(String reason) implements Status {
    }

    public record Ready(BackboneManifest manifest, Path weights) implements Status {
    }

    private final Path cache;
    private final Map<String, BackboneChunks.Assembler> assemblers = new HashMap<>();
    private final Map<String, BackboneManifest> manifests = new HashMap<>();
    private final Map<String, Status> statuses = new HashMap<>();
    private final List<BiConsumer<String, Status>> listeners = new CopyOnWriteArrayList<>();

    /** @param cache a folder for assembled weights (an emptyDir in Kubernetes) */
    public BackboneLibrary(Path cache) {
        this.cache = cache;
    }

    /** Told when a backbone becomes ready or corrupt, or its manifest arrives without all its chunks. */
    public void onChange(BiConsumer<String, Status> listener) {
        listeners.add(listener);
    }

    public void chunk(BackboneChunk chunk) {
        String id = chunk.backboneId();
        synchronized (this) {
            assemblers.computeIfAbsent(id, k -> new BackboneChunks.Assembler()).chunk(chunk.index(), chunk.bytes());
        }
        tryAssemble(id, false);
    }

    /** A tombstone of a chunk key: the chunk is gone. */
    public void chunkRemoved(String backboneId, int index) {
        synchronized (this) {
            BackboneChunks.Assembler assembler = assemblers.get(backboneId);
            if (assembler != null) {
                assembler.chunk(index, null);
            }
        }
    }

    public void manifest(BackboneManifest manifest) {
        synchronized (this) {
            manifests.put(manifest.backboneId(), manifest);
            statuses.remove(manifest.backboneId());
        }
        tryAssemble(manifest.backboneId(), true);
    }

    /**
     * A tombstone of a manifest: the backbone was retired (no retained version refers to it), so its assembled file
     * leaves the cache too, unless another ready backbone has the same bytes. A network already loaded from it is
     * unaffected: the engines hold the weights in memory.
     */
    public synchronized void manifestRemoved(String backboneId) {
        manifests.remove(backboneId);
        assemblers.remove(backboneId);
        if (statuses.remove(backboneId) instanceof Ready retired && statuses.values().stream()
                .noneMatch(s -> s instanceof Ready r && r.weights().equals(retired.weights()))) {
            try {
                Files.deleteIfExists(retired.weights());
            } catch (IOException e) {
                // the cache is scratch space (an emptyDir): a file left there costs disk, not correctness
            }
        }
    }

    public synchronized Status status(String backboneId) {
        Status known = statuses.get(backboneId);
        if (known != null) {
            return known;
        }
        BackboneManifest manifest = manifests.get(backboneId);
        BackboneChunks.Assembler assembler = assemblers.get(backboneId);
        if (manifest == null) {
            return new Unknown();
        }
        if (assembler == null) {
            return new Incomplete(0, manifest.chunks(), List.of());
        }
        // Complete backbones are assembled as their last chunk or manifest arrives: this one lacks chunks.
        return assembler.assemble(manifest) instanceof BackboneChunks.Incomplete i
                ? new Incomplete(i.present(), i.expected(), i.missing()) : new Incomplete(0, manifest.chunks(), List.of());
    }

    /**
     * Assembles the backbone once its manifest and every chunk are here. Chunks precede their manifest on the one
     * partition: when the manifest arrives and chunks are missing, they are not coming (lost, or retired), and
     * the listeners are told so (a version waiting for it is refused); a later chunk may still complete it.
     */
    private void tryAssemble(String id, boolean manifestArrived) {
        Status status;
        synchronized (this) {
            BackboneManifest manifest = manifests.get(id);
            if (manifest == null || statuses.get(id) instanceof Ready) {
                return;
            }
            BackboneChunks.Assembler assembler = assemblers.get(id);
            BackboneChunks.Assembly assembly = assembler == null
                    ? new BackboneChunks.Incomplete(0, manifest.chunks(), java.util.stream.IntStream
                    .range(0, manifest.chunks()).boxed().toList())
                    : assembler.assemble(manifest);
            if (assembly instanceof BackboneChunks.Incomplete i) {
                if (!manifestArrived) {
                    return; // more chunks may follow a re-published manifest's
                }
                status = new Incomplete(i.present(), i.expected(), i.missing());
            } else {
                status = assembly instanceof BackboneChunks.Complete complete ? store(manifest, complete.weights())
                        : new Corrupt(((BackboneChunks.Corrupt) assembly).reason());
                statuses.put(id, status);
                if (status instanceof Ready) {
                    assemblers.remove(id); // the bytes are on disk now
                }
            }
        }
        listeners.forEach(l -> l.accept(id, status));
    }

    private Status store(BackboneManifest manifest, byte[] weights) {
        try {
            Files.createDirectories(cache);
            Path file = cache.resolve(manifest.sha256() + ".params");
            Path tmp = cache.resolve(manifest.sha256() + ".params.tmp");
            Files.write(tmp, weights);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Ready(manifest, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write backbone " + manifest.backboneId() + " to " + cache, e);
        }
    }
}
