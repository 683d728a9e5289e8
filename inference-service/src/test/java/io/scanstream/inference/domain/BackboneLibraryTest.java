package io.scanstream.inference.domain;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.contract.BackboneChunk;
import io.scanstream.core.integrity.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The assembled-backbone cache: written once a backbone is whole and verified, emptied when it is retired. */
class BackboneLibraryTest {

    private static final int CHUNK = 1 << 10;

    @TempDir
    Path cache;

    @Test
    void writesAVerifiedBackboneToTheCacheAndRemovesItWhenTheBackboneIsRetired() throws Exception {
        BackboneLibrary library = new BackboneLibrary(cache);
        BackboneManifest kept = publish(library, "mobilenet_v2:kept", bytes(3 * CHUNK + 5, 1));
        BackboneManifest retired = publish(library, "mobilenet_v2:retired", bytes(2 * CHUNK, 2));
        Path retiredFile = ((BackboneLibrary.Ready) library.status(retired.backboneId())).weights();
        Path keptFile = ((BackboneLibrary.Ready) library.status(kept.backboneId())).weights();
        assertThat(Files.readAllBytes(retiredFile)).isEqualTo(bytes(2 * CHUNK, 2));

        library.manifestRemoved(retired.backboneId());

        assertThat(library.status(retired.backboneId())).isInstanceOf(BackboneLibrary.Unknown.class);
        assertThat(retiredFile).doesNotExist();
        assertThat(keptFile).exists();
        assertThat(library.status(kept.backboneId())).isInstanceOf(BackboneLibrary.Ready.class);
        try (var files = Files.list(cache)) {
            assertThat(files.toList()).containsExactly(keptFile);
        }
    }

    @Test
    void keepsTheFileWhileAnotherReadyBackboneHasTheSameBytes() throws Exception {
        BackboneLibrary library = new BackboneLibrary(cache);
        byte[] weights = bytes(CHUNK + 1, 3);
        publish(library, "mobilenet_v2:first", weights);
        BackboneManifest second = publish(library, "mobilenet_v2:second", weights);

        library.manifestRemoved("mobilenet_v2:first");

        assertThat(((BackboneLibrary.Ready) library.status(second.backboneId())).weights()).exists();
    }

    @Test
    void retiringABackboneThatNeverCameWholeTouchesNoFile() throws Exception {
        BackboneLibrary library = new BackboneLibrary(cache);
        byte[] weights = bytes(2 * CHUNK, 4);
        BackboneManifest manifest = manifest("mobilenet_v2:partial", weights);
        library.chunk(new BackboneChunk(manifest.backboneId(), 0, BackboneChunks.split(weights, CHUNK).get(0)));
        library.manifest(manifest);
        assertThat(library.status(manifest.backboneId())).isInstanceOf(BackboneLibrary.Incomplete.class);

        library.manifestRemoved(manifest.backboneId());

        assertThat(library.status(manifest.backboneId())).isInstanceOf(BackboneLibrary.Unknown.class);
        assertThat(cache).isEmptyDirectory();
    }

    private static BackboneManifest publish(BackboneLibrary library, String id, byte[] weights) {
        BackboneManifest manifest = manifest(id, weights);
        List<byte[]> chunks = BackboneChunks.split(weights, CHUNK);
        for (int i = 0; i < chunks.size(); i++) {
            library.chunk(new BackboneChunk(id, i, chunks.get(i)));
        }
        library.manifest(manifest);
        assertThat(library.status(id)).isInstanceOf(BackboneLibrary.Ready.class);
        return manifest;
    }

    private static BackboneManifest manifest(String id, byte[] weights) {
        return new BackboneManifest(id, "mobilenet_v2", "final", BackboneManifest.DJL_PARAMETERS, weights.length,
                Sha256.hex(weights), CHUNK, (weights.length + CHUNK - 1) / CHUNK, OffsetDateTime.now(), "run-1",
                "mobilenet_v2:bootstrap", ScanSet.EMPTY);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
