package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SwapTimelineTest {

    @Test
    void picksTheLogLinesThatMentionAMarkerAndNoneFromAMissingLog(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path log = java.nio.file.Files.write(dir.resolve("inference-service.log"), List.of(
                "07:55:12.674 INFO model.swapped from=load-v1 to=load-v2", "07:55:20.000 INFO batch done",
                "07:55:48.656 INFO inference.native-heap.trimmed took=44ms"));

        assertThat(SwapTimeline.linesMentioning(log, List.of("model.swapped", "native-heap.trimmed"))).containsExactly(
                "07:55:12.674 INFO model.swapped from=load-v1 to=load-v2",
                "07:55:48.656 INFO inference.native-heap.trimmed took=44ms");
        assertThat(SwapTimeline.linesMentioning(dir.resolve("absent.log"), List.of("x"))).isEmpty();
    }
}
