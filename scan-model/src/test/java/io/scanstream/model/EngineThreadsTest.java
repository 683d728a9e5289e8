package io.scanstream.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class EngineThreadsTest {

    @Test
    void aJvmLimitedBelowTheHostGivesTheEnginesItsCount() {
        assertThat(EngineThreads.limit(4, OptionalInt.of(64))).hasValue(4);
    }

    @Test
    void aJvmThatSeesTheWholeHostLeavesTheEnginesTheirOwnDefault() {
        assertThat(EngineThreads.limit(64, OptionalInt.of(64))).isEmpty();
        // -XX:ActiveProcessorCount above the host's count: the engines know the host better
        assertThat(EngineThreads.limit(8, OptionalInt.of(2))).isEmpty();
        // no sysfs (not Linux): nothing to compare with
        assertThat(EngineThreads.limit(4, OptionalInt.empty())).isEmpty();
    }

    @Test
    void countsSysfsCpuLists() {
        assertThat(EngineThreads.count("0")).hasValue(1);
        assertThat(EngineThreads.count("0-63")).hasValue(64);
        assertThat(EngineThreads.count("0-3,8-11")).hasValue(8);
        assertThat(EngineThreads.count("0,2,4-5")).hasValue(4);
    }

    @Test
    void anOddOrMissingListCountsNothing(@TempDir Path dir) throws Exception {
        assertThat(EngineThreads.count("")).isEmpty();
        assertThat(EngineThreads.count("3-1")).isEmpty();
        assertThat(EngineThreads.count("1-2-3")).isEmpty();
        assertThat(EngineThreads.hostCpus(dir.resolve("absent"))).isEmpty();
        Path garbage = Files.writeString(dir.resolve("online"), "all of them\n");
        assertThat(EngineThreads.hostCpus(garbage)).isEmpty();
        Path online = Files.writeString(dir.resolve("online2"), "0-1\n");
        assertThat(EngineThreads.hostCpus(online)).hasValue(2);
    }
}
