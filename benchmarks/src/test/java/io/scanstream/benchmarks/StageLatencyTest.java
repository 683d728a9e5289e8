package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StageLatencyTest {

    @Test
    void splitsEachScansPathIntoSegmentsWhoseMeansAddUpToTheEndToEndMean() {
        List<StageLatency.Marks> marks = List.of(
                new StageLatency.Marks(0, 0, 1_000, 1_010, 1_060, 1_070),  // 10 + 50 + 10 = 70
                new StageLatency.Marks(1, 1, 2_000, 2_030, 2_050, 2_080)); // 30 + 20 + 30 = 80
        List<String> rows = StageLatency.rows("w", marks);

        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).startsWith("| w | device send -> ingest's output sent").endsWith("| 10 | 30 | 30 | 20.0 |");
        assertThat(rows.get(1)).endsWith("| 20 | 50 | 50 | 35.0 |");
        assertThat(rows.get(2)).endsWith("| 10 | 30 | 30 | 20.0 |");
        assertThat(rows.get(3)).startsWith("| w | end to end").endsWith("| 70 | 80 | 80 | 75.0 |");
    }

    @Test
    void writesOneCsvLinePerScanAfterAHeader() {
        assertThat(StageLatency.csv(List.of(new StageLatency.Marks(544, 1, 2, 3, 4, 5))))
                .containsExactly("scan,image,sent_ms,ingest_sent_ms,inference_sent_ms,seen_ms", "544,1,2,3,4,5");
    }

    @Test
    void aWindowWithoutMarksHasNoRows() {
        assertThat(StageLatency.rows("w", List.of())).isEmpty();
    }
}
