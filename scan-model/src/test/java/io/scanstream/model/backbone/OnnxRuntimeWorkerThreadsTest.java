package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ONNX Runtime's worker threads are native, and Linux names them after the thread that creates the session; they must
 * show as ONNX Runtime's in /proc (what {@code top -H} and the benchmarks' CPU per thread group read), not as the
 * thread that happened to load the model.
 */
class OnnxRuntimeWorkerThreadsTest {

    private static final Path TASKS = Path.of("/proc/self/task");

    @TempDir
    Path dir;

    @Test
    void theSessionsWorkerThreadsCarryOnnxRuntimesNameAndEndWithIt() throws Exception {
        assumeTrue(Files.isDirectory(TASKS), "needs Linux's /proc");
        Path onnx = TestWeights.onnx(BackboneArchitecture.MOBILENET_V2, 7, false, dir.resolve("m.onnx"));
        List<GreyImage> images = List.of(Fixtures.noise(64, 1), Fixtures.noise(64, 2));
        Set<String> before = namedWorkers();
        Set<String> started = new HashSet<>();
        String setting = System.setProperty(OnnxRuntimeSession.THREADS_PROPERTY, "3");
        try (FeatureExtractor extractor = FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2,
                onnx), 0)) {
            assertThat(extractor.engine()).isEqualTo("onnxruntime");
            extractor.embed(images, 2);

            // three intra-op threads: the caller's and two workers
            started.addAll(namedWorkers());
            started.removeAll(before);
            assertThat(started).hasSizeGreaterThanOrEqualTo(2);
        } finally {
            if (setting == null) {
                System.clearProperty(OnnxRuntimeSession.THREADS_PROPERTY);
            } else {
                System.setProperty(OnnxRuntimeSession.THREADS_PROPERTY, setting);
            }
        }
        // closing the session joins its workers (the thread that created it ended long before)
        Set<String> left = new HashSet<>(started);
        for (int i = 0; i < 50; i++) {
            left.retainAll(namedWorkers());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(left).as("worker threads still running after the session closed").isEmpty();
    }

    /** The ids of this process's threads named {@link OnnxRuntimeSession#WORKER_THREAD_NAME}. */
    private static Set<String> namedWorkers() {
        try (Stream<Path> tasks = Files.list(TASKS)) {
            return tasks.filter(task -> OnnxRuntimeSession.WORKER_THREAD_NAME.equals(name(task)))
                    .map(task -> task.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return ""; // the thread ended between the listing and the read
        }
    }
}
