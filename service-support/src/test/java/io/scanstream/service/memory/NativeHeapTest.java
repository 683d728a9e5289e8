package io.scanstream.service.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

class NativeHeapTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void theJvmTrimsGlibcsHeapAndSaysHowMuchItGaveBack() {
        // The service images and this build run a Linux JDK 17.0.9 or later, which has the command.
        assertThat(NativeHeap.trim()).hasValueSatisfying(report ->
                assertThat(report).matches("Trim native heap: RSS\\+Swap: \\S+->\\S+ \\(\\S+\\)"));
    }
}
