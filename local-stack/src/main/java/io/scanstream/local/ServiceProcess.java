package io.scanstream.local;

import io.scanstream.core.contract.Topics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ScanStream service started from its runnable jar (Quarkus fast-jar), ready when its readiness probe says so. The
 * probe is on the service's management port (health and metrics, no token); secrets go in its environment, never on
 * its command line.
 */
public final class ServiceProcess {

    private final String name;
    private final int port;
    private final int managementPort;
    private final ManagedProcess process;

    private ServiceProcess(String name, int port, int managementPort, ManagedProcess process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    public static ServiceProcess of(String name, Path jar, int port, int managementPort, LocalStackOptions options,
                                    String heap, Map<String, String> properties, Map<String, String> environment)
            throws IOException {
        return of(name, jar, port, managementPort, options, jvmOptions(heap), properties, environment);
    }

    /** As {@link #of(String, Path, int, int, LocalStackOptions, String, Map, Map)}, with the whole JVM option list. */
    public static ServiceProcess of(String name, Path jar, int port, int managementPort, LocalStackOptions options,
                                    List<String> jvmOptions, Map<String, String> properties,
                                    Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(name + " is not built (" + jar + "); build first: ./mvnw -B -DskipTests package");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.port", String.valueOf(port));
        props.put("quarkus.management.port", String.valueOf(managementPort));
        props.put("kafka.bootstrap.servers", options.bootstrapServers());
        for (String topic : options.topics().keySet()) {
            props.put(Topics.propertyOf(topic), options.topic(topic));
        }
        props.putAll(properties);
        List<String> command = new ArrayList<>(List.of(KafkaBroker.javaBin()));
        command.addAll(jvmOptions);
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        ManagedProcess process = new ManagedProcess(name, command, environment(environment),
                options.workDir().resolve("logs/" + name + ".log"));
        return new ServiceProcess(name, port, managementPort, process);
    }

    /**
     * The JVM options of every service process: its heap, and exit on an OutOfMemoryError (a JVM that lives on after
     * one may have lost any thread; exiting lets the stack's restart, compose's policy or Kubernetes start it clean,
     * and the uncommitted batch is read again). Images, compose and Kubernetes set the same flag. Then the service's
     * own options (ingest's collector: {@link LocalStack#INGEST_JVM}).
     */
    public static List<String> jvmOptions(String heap, String... serviceOptions) {
        List<String> options = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"));
        options.addAll(List.of(serviceOptions));
        return List.copyOf(options);
    }

    /** A service's environment: the caller's entries over the allocator settings every ScanStream JVM runs with. */
    static Map<String, String> environment(Map<String, String> callers) {
        Map<String, String> env = new LinkedHashMap<>(NativeAllocator.environment());
        env.putAll(callers);
        return env;
    }

    public String name() {
        return name;
    }

    public void start(Duration readyWithin) throws IOException, InterruptedException {
        process.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + readyWithin.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IOException(name + " exited during start-up; see " + process.logFile());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    Console.line("%s ready on http://localhost:%d (health, metrics: :%d; log: %s)", name, port,
                            managementPort, process.logFile());
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IOException(name + " was not ready within " + readyWithin.toSeconds() + "s; see " + process.logFile());
    }

    public boolean alive() {
        return process.alive();
    }

    public int port() {
        return port;
    }

    /** Health and metrics ({@code /q/health/*}, {@code /q/metrics}), no token. */
    public int managementPort() {
        return managementPort;
    }

    public Path logFile() {
        return process.logFile();
    }

    /** The service JVM's pid (benchmarks read its CPU time and RSS from /proc). */
    public long pid() {
        return process.pid();
    }

    /** Kills the process without a graceful shutdown (crash tests); {@link #start} starts it again. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    public void stop() {
        process.stop(Duration.ofSeconds(20));
    }
}
