package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The allocator settings every ScanStream JVM runs with (GLIBC_TUNABLES: the images, the local stack's processes and
 * these test JVMs; their home is the local stack's NativeAllocator) do what docs/benchmarks.md says: a batch on the
 * PyTorch path reuses the memory the previous batch freed instead of faulting its activations in again. Counts page
 * faults, not time. With glibc's defaults MobileNetV2 at batch 32 took 10 000 to 23 000 faults per image in every
 * batch.
 */
class ActivationMemoryTest {

    private static final int BATCH = 32;

    @Test
    void aRepeatedBatchOnThePyTorchPathFaultsInAlmostNoFreshMemory(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "counts page faults from Linux's /proc");
        assumeTrue(System.getenv("GLIBC_TUNABLES") != null,
                "run by Maven (the parent pom sets GLIBC_TUNABLES for the test JVMs), not by a bare JVM");
        Path weights = TestWeights.params(BackboneArchitecture.MOBILENET_V2, 7, dir.resolve("weights.params"));
        List<GreyImage> batch = IntStream.range(0, BATCH).mapToObj(i -> Fixtures.noise(224, i)).toList();
        try (FeatureExtractor extractor = FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                weights), 0)) {
            assertThat(extractor.engine()).isEqualTo("pytorch");
            extractor.embed(batch, BATCH); // the first batch of a shape takes its memory from the system
            long[] perImage = new long[5];
            for (int i = 0; i < perImage.length; i++) {
                long before = minorFaults();
                extractor.embed(batch, BATCH);
                perImage[i] = (minorFaults() - before) / BATCH;
            }
            // the fewest: the heap settles over a few batches, and the JVM's own heap growing also faults pages in;
            // with glibc's defaults every batch faulted in 10 000 or more per image
            long fewest = LongStream.of(perImage).min().orElseThrow();

            assertThat(fewest).as("page faults per image of repeated batches of %d: %s", BATCH,
                    Arrays.toString(perImage)).isLessThan(1_000);
        }
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
