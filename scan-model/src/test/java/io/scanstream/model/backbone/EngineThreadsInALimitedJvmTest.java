package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.EngineThreads;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the JVM sees fewer CPUs than the host has (a container's CPU limit; here {@code -XX:ActiveProcessorCount=1},
 * which stands in for one), both engines run that many intra-op threads instead of their own default, which counts the
 * host's cores ({@link EngineThreads}).
 */
class EngineThreadsInALimitedJvmTest {

    private static final int CPUS = 1;

    @Test
    void bothEnginesRunAsManyThreadsAsTheJvmHasCpus() throws Exception {
        assumeHostHasMoreCpus();

        assertThat(probe(List.of())).isEqualTo("libtorch=" + CPUS + " onnxruntime=" + CPUS);
    }

    @Test
    void theOperatorsSettingsWin() throws Exception {
        assumeHostHasMoreCpus();
        String threads = probe(List.of("-D" + DjlEnvironment.PYTORCH_THREADS + "=2",
                "-D" + OnnxRuntimeSession.THREADS_PROPERTY + "=2"));

        assertThat(threads).isEqualTo("libtorch=2 onnxruntime=2");
    }

    private static void assumeHostHasMoreCpus() {
        assumeTrue(Runtime.getRuntime().availableProcessors() > CPUS, "needs a machine with more than " + CPUS
                + " CPU, so that the probe's JVM sees fewer CPUs than the host");
    }

    /** Runs {@link Probe} in a JVM that sees {@value #CPUS} CPUs; returns its line of thread counts. */
    private static String probe(List<String> options) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:ActiveProcessorCount=" + CPUS, "-cp",
                System.getProperty("java.class.path")));
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
