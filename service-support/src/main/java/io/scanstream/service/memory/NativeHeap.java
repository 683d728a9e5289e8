package io.scanstream.service.memory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Hands the native memory glibc keeps after native work (a fine-tuning run, Grad-CAM explanations, a retired
 * backbone) back to the system. Every ScanStream JVM runs with glibc's allocator settings that keep freed blocks in
 * the process (one arena, 1 GiB mmap and 2 GiB trim thresholds: libtorch's activations are then reused by the next
 * minibatch instead of faulted in again), so glibc itself never gives them back: measured after a first fine-tuning
 * run in the local stack, 3.15 GB of glibc's arena of which 0.43 GB in use; in inference, 210-260 MiB kept after a
 * minute of explanations (docs/operations.md, "Memory"). This is glibc's {@code malloc_trim} through the JVM's own
 * diagnostic command ({@code jcmd PID System.trim_native_heap}, JDK 17.0.9 and later), so no native code of ours.
 */
public final class NativeHeap {

    private static final String DIAGNOSTIC_COMMANDS = "com.sun.management:type=DiagnosticCommand";
    private static final String TRIM = "systemTrimNativeHeap";

    private NativeHeap() {
    }

    /**
     * @return the JVM's account of it (e.g. {@code Trim native heap: RSS+Swap: 3.6G->1.1G (-2.5G)}), or empty where
     * this JVM has no such command
     */
    public static Optional<String> trim() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            Object report = server.invoke(new ObjectName(DIAGNOSTIC_COMMANDS), TRIM, new Object[0], new String[0]);
            return Optional.ofNullable(report).map(r -> r.toString().strip()).filter(r -> !r.isEmpty());
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        } catch (JMException e) {
            return Optional.empty();
        }
    }
}
