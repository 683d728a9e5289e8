package io.scanstream.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingStreamsStateTest {

    @TempDir
    Path home;

    @Test
    void trainingsStreamsStateLivesInTheWorkDirAndStartsEmptyWithTheBroker() throws Exception {
        LocalStackOptions fresh = LocalStackOptions.parse(List.of("--work-dir", "stack"), home);
        Path store = home.resolve("stack/training/streams-state/training-set/0_0/rocksdb/labels/000001.sst");
        Files.createDirectories(store.getParent());
        Files.writeString(store, "rows of another cluster");

        Path state = LocalStack.trainingStreamsState(fresh);

        assertThat(state).isEqualTo(home.resolve("stack/training/streams-state"));
        assertThat(state).doesNotExist();
        assertThat(home.resolve("stack")).isDirectory();
    }

    @Test
    void keepDataKeepsTheStoresWithTheBrokersData() throws Exception {
        LocalStackOptions kept = LocalStackOptions.parse(List.of("--work-dir", "stack", "--keep-data"), home);
        Path store = home.resolve("stack/training/streams-state/training-set/0_0/rocksdb/labels/000001.sst");
        Files.createDirectories(store.getParent());
        Files.writeString(store, "rows of this cluster");

        Path state = LocalStack.trainingStreamsState(kept);

        assertThat(state).isEqualTo(home.resolve("stack/training/streams-state"));
        assertThat(store).hasContent("rows of this cluster");
    }
}
