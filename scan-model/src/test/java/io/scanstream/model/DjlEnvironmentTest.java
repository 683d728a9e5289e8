package io.scanstream.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DjlEnvironmentTest {

    @Test
    void keepsTheCacheDirectoryAndOfflineModeTheOperatorSet() {
        String cacheDir = System.getProperty(DjlEnvironment.CACHE_DIR); // set by surefire
        String offline = System.getProperty(DjlEnvironment.OFFLINE);

        DjlEnvironment.configure(Path.of("/elsewhere"));

        assertThat(System.getProperty(DjlEnvironment.CACHE_DIR)).isEqualTo(cacheDir);
        assertThat(System.getProperty(DjlEnvironment.OFFLINE)).isEqualTo(offline);
    }

    @Test
    void switchesOfflineModeOnWhenNothingSaysOtherwise() {
        String before = System.clearProperty(DjlEnvironment.OFFLINE);
        try {
            DjlEnvironment.configure();

            if (System.getenv("DJL_OFFLINE") == null) {
                assertThat(System.getProperty(DjlEnvironment.OFFLINE)).isEqualTo("true");
            }
            assertThat(System.getProperty(DjlEnvironment.OPT_OUT_TRACKING)).isEqualTo("true");
        } finally {
            if (before != null) {
                System.setProperty(DjlEnvironment.OFFLINE, before);
            }
        }
    }
}
