package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.scanstream.model.DjlEnvironment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both engines run as many intra-op threads as the JVM has CPUs, which is what a container's CPU limit gives it:
 * their own defaults count the host's cores. A JVM told it has 3 CPUs ({@code -XX:ActiveProcessorCount}, which stands
 * in for a pod's limit) gets 3 libtorch threads and 3 ONNX Runtime threads, whatever this machine has.
 */
class EngineThreadsTest {

    private static final int CPUS = 3;

    @Test
    void bothEnginesRunAsManyThreadsAsTheJvmHasCpus() throws Exception {
        assertThat(probe(List.of())).isEqualTo("libtorch=" + CPUS + " onnxruntime=" + CPUS);
    }

    @Test
    void theOperatorsSettingsWin() throws Exception {
        String threads = probe(List.of("-D" + DjlEnvironment.PYTORCH_THREADS + "=1",
                "-D" + OnnxRuntimeSession.THREADS_PROPERTY + "=2"));

        assertThat(threads).isEqualTo("libtorch=1 onnxruntime=2");
    }

    /** Runs {@link Probe} in a JVM that sees {@value #CPUS} CPUs; returns its line of thread counts. */
    private static String probe(List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:ActiveProcessorCount=" + CPUS, "-cp", System.getProperty("java.class.path")));
        for (String property : List.of(DjlEnvironment.CACHE_DIR, DjlEnvironment.OFFLINE)) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(options);
        command.add(Probe.class.getName());
        Path errors = Files.createTempFile("engine-threads", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the probe JVM ends").isTrue();
            assertThat(process.exitValue()).as("probe's exit status; its errors: %s", Files.readString(errors))
                    .isZero();
            return out.lines().filter(line -> line.startsWith("libtorch=")).findFirst().orElse(out);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** The child: configures DJL as the services do, loads libtorch, and prints each engine's thread count. */
    public static final class Probe {
        public static void main(String[] args) {
            DjlEnvironment.configure();
            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                manager.zeros(new Shape(1)); // the engine is loaded and in use
                System.out.println("libtorch=" + JniUtils.getNumThreads() + " onnxruntime="
                        + OnnxRuntimeSession.threads());
            }
        }
    }
}
