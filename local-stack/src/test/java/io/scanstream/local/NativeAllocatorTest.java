package io.scanstream.local;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NativeAllocatorTest {

    @Test
    void everyServiceProcessGetsTheAllocatorSettingsUnderItsOwnEnvironment() {
        Map<String, String> env = ServiceProcess.environment(Map.of("DJL_CACHE_DIR", "/tmp/djl"));

        assertThat(env).containsEntry("GLIBC_TUNABLES", NativeAllocator.SETTINGS)
                .containsEntry("DJL_CACHE_DIR", "/tmp/djl");
        assertThat(ServiceProcess.environment(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")))
                .as("a caller that sets its own tunables keeps them").containsEntry("GLIBC_TUNABLES",
                        "glibc.malloc.arena_max=2");
    }

    @Test
    void theSettingsAreWellFormedGlibcMallocTunables() {
        assertThat(NativeAllocator.SETTINGS.split(":"))
                .allSatisfy(t -> assertThat(t).matches("glibc\\.malloc\\.[a-z_]+=[0-9]+"))
                .extracting(t -> t.substring(0, t.indexOf('=')))
                .containsExactlyInAnyOrder("glibc.malloc.arena_max", "glibc.malloc.mmap_threshold",
                        "glibc.malloc.trim_threshold");
    }
}
