package io.scanstream.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** What the local stack (and the benchmarks' stacks) do to the folders of a work dir. */
public final class Directories {

    private Directories() {
    }

    /** Deletes {@code path} and everything below it; nothing there is fine. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
