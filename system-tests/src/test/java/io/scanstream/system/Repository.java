package io.scanstream.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository the tests check (its root from {@code scanstream.home}), and the tools they run on it. */
final class Repository {

    private Repository() {
    }

    static Path root() {
        return Path.of(System.getProperty("scanstream.home", "..")).toAbsolutePath().normalize();
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command in the repository root; its standard output, or an exception with its error output. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("scanstream-cmd", ".err");
        Process process = new ProcessBuilder(command).directory(root().toFile())
                .redirectError(err.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(err));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
