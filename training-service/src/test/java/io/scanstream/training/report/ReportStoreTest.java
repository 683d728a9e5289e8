package io.scanstream.training.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReportStoreTest {

    @TempDir
    Path root;

    @Test
    void neverServesAFileOutsideTheReportsDirectory() throws Exception {
        Files.writeString(root.resolveSibling("secret.txt"), "no");
        Files.createDirectories(root.resolve("run1"));
        Files.writeString(root.resolve("run1/report.json"), "{}");
        ReportStore store = new ReportStore(root);

        assertThat(store.read("run1", "report.json")).contains("{}".getBytes());
        assertThat(store.read("..", "secret.txt")).isEmpty();
        assertThat(store.read("run1", "../../secret.txt")).isEmpty();
        assertThat(store.read("run1", "missing.png")).isEmpty();
    }
}
