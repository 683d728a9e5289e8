package io.scanstream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FullStackLoadBenchmarkTest {

    private static FullStackLoadBenchmark.Window window(long sent, long outcomes, long backlogBefore, long backlogAfter) {
        return new FullStackLoadBenchmark.Window("w", 10, sent, outcomes, 10.0, backlogBefore, backlogAfter,
                Map.of("ingest", 2.0), Map.of(), Map.of(), 0, sent);
    }

    @Test
    void aStepKeepsUpWhenItsBacklogBarelyGrowsAndNearlyAllScansCameOut() {
        assertThat(window(100, 98, 3, 8).keptUp()).isTrue();
        assertThat(window(100, 80, 3, 30).keptUp()).isFalse(); // backlog grew by 27 > 10% of 100 + 5
        assertThat(window(100, 85, 3, 3).keptUp()).isFalse();  // 85% came out
    }

    @Test
    void chargesCpuToTheScansThatCameOutOfTheWindow() {
        FullStackLoadBenchmark.Window w = window(100, 80, 0, 0);
        assertThat(w.cpuMillisPerScan("ingest")).isEqualTo(25.0); // 2 CPU-s / 80 scans
        assertThat(w.achievedRate()).isEqualTo(8.0);
    }

    @Test
    void parsesFlagsAndValuesAndRefusesUnknownOnes() {
        assertThat(FullStackLoadBenchmark.parse(new String[] {"--find-max", "--engine", "pytorch"}))
                .containsEntry("find-max", "true").containsEntry("engine", "pytorch");
        assertThat(FullStackLoadBenchmark.parse(new String[] {"--stage-latency"})).containsEntry("stage-latency", "true");
        assertThat(FullStackLoadBenchmark.parse(new String[] {"--warmup-seconds", "90", "--warmup-rate", "80"}))
                .containsEntry("warmup-seconds", "90").containsEntry("warmup-rate", "80");
        assertThat(FullStackLoadBenchmark.parse(new String[] {"--publish-backbone", "int8", "--readout", "final"}))
                .containsEntry("publish-backbone", "int8").containsEntry("readout", "final");
        assertThatThrownBy(() -> FullStackLoadBenchmark.parse(new String[] {"--rates", "3"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown argument '--rates'");
        assertThatThrownBy(() -> FullStackLoadBenchmark.parse(new String[] {"--rate"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
    }

    @Test
    void readsServicePropertiesAsPairsAndRefusesAPairWithoutKey() {
        assertThat(FullStackLoadBenchmark.serviceProperties(
                "mp.messaging.incoming.scans-arrived.fetch.max.wait.ms=20, ingest.decode.parallelism = 1"))
                .containsExactly(Map.entry("mp.messaging.incoming.scans-arrived.fetch.max.wait.ms", "20"),
                        Map.entry("ingest.decode.parallelism", "1"));
        assertThat(FullStackLoadBenchmark.serviceProperties("")).isEmpty();
        assertThat(FullStackLoadBenchmark.serviceProperties("a=b=c")).containsExactly(Map.entry("a", "b=c"));
        assertThatThrownBy(() -> FullStackLoadBenchmark.serviceProperties("=5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not KEY=VALUE");
        assertThatThrownBy(() -> FullStackLoadBenchmark.serviceProperties("fetch.min.bytes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not KEY=VALUE");
    }

    @Test
    void jvmOptionsComeAfterTheLocalStacksSoTheyCanUndoIngestsCollector() {
        LoadStack.Overrides ingest = FullStackLoadBenchmark.overrides(FullStackLoadBenchmark.parse(new String[] {
                "--ingest-jvm-options", " -XX:-UseParallelGC  -XX:+UseG1GC ", "--ingest-properties", "a=1"}), "ingest");
        assertThat(ingest.properties()).containsExactly(Map.entry("a", "1"));
        assertThat(ingest.jvmOptionsAfter(io.scanstream.local.LocalStack.INGEST_JVM))
                .endsWith("-XX:+UseParallelGC", "-XX:-UseParallelGC", "-XX:+UseG1GC")
                .startsWith(io.scanstream.local.LocalStack.INGEST_JVM.get(0));
        assertThat(FullStackLoadBenchmark.overrides(Map.of(), "inference")).isEqualTo(LoadStack.Overrides.NONE);
    }
}
