package io.scanstream.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * How many intra-op threads an engine (libtorch, ONNX Runtime) runs when the operator does not say. Both engines count
 * the host's cores, which is right on a bare host (ONNX Runtime counts physical cores, so hyper-threads do not share
 * one) and wrong in a container with a CPU limit: a pod limited to 4 CPUs on a 64-core node would run 64 threads in a
 * 4-CPU quota, throttled, much slower than 4 (docs/operations.md, "Threads"). The JVM counts that limit (rounded up), a
 * cpuset, and {@code -XX:ActiveProcessorCount}; so where it sees fewer CPUs than the host has online, the engines get
 * the JVM's count, and elsewhere their own default.
 */
public final class EngineThreads {

    /** Linux's list of the host's online CPUs, e.g. {@code 0-63} or {@code 0-3,8-11}; sysfs is not per container. */
    static final Path ONLINE_CPUS = Path.of("/sys/devices/system/cpu/online");

    private EngineThreads() {
    }

    /**
     * The threads to give an engine, or empty: leave it its own default. Read once: every model factory asks (through
     * {@link DjlEnvironment#configure()}), and an engine sizes its pool once anyway.
     */
    public static OptionalInt limit() {
        return ThisJvm.LIMIT;
    }

    private static final class ThisJvm {
        static final OptionalInt LIMIT = limit(Runtime.getRuntime().availableProcessors(), hostCpus(ONLINE_CPUS));
    }

    static OptionalInt limit(int jvmCpus, OptionalInt hostCpus) {
        return hostCpus.isPresent() && jvmCpus < hostCpus.getAsInt() ? OptionalInt.of(jvmCpus) : OptionalInt.empty();
    }

    /** The CPUs in a sysfs CPU list such as {@code 0-3,8-11} (8), or empty where there is none or it is odd. */
    static OptionalInt hostCpus(Path onlineList) {
        try {
            return count(Files.readString(onlineList).strip());
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    static OptionalInt count(String cpuList) {
        if (cpuList.isEmpty()) {
            return OptionalInt.empty();
        }
        int cpus = 0;
        for (String range : cpuList.split(",")) {
            String[] ends = range.strip().split("-", -1);
            int first = Integer.parseInt(ends[0]);
            int last = ends.length == 2 ? Integer.parseInt(ends[1]) : first;
            if (ends.length > 2 || first < 0 || last < first) {
                return OptionalInt.empty();
            }
            cpus += last - first + 1;
        }
        return OptionalInt.of(cpus);
    }
}
