package io.scanstream.local;

import java.util.Map;

/**
 * glibc's allocator settings for every ScanStream JVM: the service images, the local stack's processes, the test
 * JVMs (the parent pom), {@code evaluation/run} and {@code benchmarks/run}. This class is their one home;
 * {@code DeploymentConfigTest} holds the copies in Dockerfiles, scripts and the pom to it.
 *
 * <p>Why: libtorch (training's fine-tuning, the PyTorch engine, Grad-CAM) mallocs every activation tensor and frees
 * it after use. With glibc's defaults a block over the mmap threshold (dynamic, at most 32 MiB), and any block over
 * 64 MiB that a thread outside glibc's main arena asks for (every JVM thread), is a fresh mapping, unmapped again on
 * free, so each batch faulted its activations in page by page: MobileNetV2 at batch 32 took ~18 600 page faults and
 * ~0.14 s of forward pass per image. One arena (so large blocks come from the main heap), a 1 GiB mmap threshold and
 * a 2 GiB trim threshold keep the freed activations for the next batch (docs/benchmarks.md, "libtorch's activations
 * and glibc's allocator"; the cost is resident memory: docs/operations.md, "JVM settings").
 */
public final class NativeAllocator {

    /** The environment variable glibc (2.26 and later) reads its tunables from at process start. */
    public static final String VARIABLE = "GLIBC_TUNABLES";
    public static final String SETTINGS = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=1073741824"
            + ":glibc.malloc.trim_threshold=2147483648";

    private NativeAllocator() {
    }

    /** The settings as a process environment entry. */
    public static Map<String, String> environment() {
        return Map.of(VARIABLE, SETTINGS);
    }
}
