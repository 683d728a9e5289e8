package io.scanstream.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the local stack: started with its output in a log file, stopped with SIGTERM (graceful shutdown
 * hooks run), killed if it does not stop in time.
 */
class ManagedProcess {

    /**
     * Ctrl-C signals the terminal's whole process group: children in it would all stop at once (the broker before
     * the services that still commit to it). In a session of their own they hear only the stack, which stops them
     * in reverse order. setsid execs in place (a child is never a group leader), so the pid stays the JVM's.
     */
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private Process process;

    ManagedProcess(String name, List<String> command, Map<String, String> environment, Path logFile) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
    }

    String name() {
        return name;
    }

    Path logFile() {
        return logFile;
    }

    void start() throws IOException {
        Files.createDirectories(logFile.getParent());
        List<String> launch = Files.isExecutable(SETSID)
                ? java.util.stream.Stream.concat(java.util.stream.Stream.of(SETSID.toString()), command.stream()).toList()
                : command;
        ProcessBuilder builder = new ProcessBuilder(launch).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The JVM's pid (setsid execs in place), for tools that read its CPU and memory from /proc. */
    long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was not started");
        }
        return process.pid();
    }

    /** Runs to completion (for one-shot tools such as the storage formatter). */
    int runToCompletion(Duration timeout) throws IOException, InterruptedException {
        start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(name + " did not finish within " + timeout + "; see " + logFile);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hooks run, as when a machine dies. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    void stop(Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                Console.line("%s did not stop within %ds, killing it", name, grace.toSeconds());
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
