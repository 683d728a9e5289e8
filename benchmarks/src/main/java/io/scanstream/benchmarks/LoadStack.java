package io.scanstream.benchmarks;

import io.scanstream.core.contract.KafkaAccess;
import io.scanstream.local.Directories;
import io.scanstream.local.FreePorts;
import io.scanstream.local.KafkaBroker;
import io.scanstream.local.KafkaSecurity;
import io.scanstream.local.LocalSignIn;
import io.scanstream.local.LocalStack;
import io.scanstream.local.LocalStackOptions;
import io.scanstream.local.ServiceProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Broker, ingest and inference as the local stack runs them (local-stack's {@link KafkaBroker} from Apache Kafka's
 * jars, the services' runnable jars under {@code target/quarkus-app} with the heaps and properties
 * {@code LocalStack} gives them), plaintext, on free ports. Training and review are not started: the load
 * generator publishes the head version itself, and neither is on a scan's path to its prediction.
 */
final class LoadStack implements AutoCloseable {

    private final LocalStackOptions options;
    private final KafkaBroker broker;
    private final LocalSignIn signIn;
    private final List<ServiceProcess> started = new ArrayList<>();
    private ServiceProcess ingest;
    private ServiceProcess inference;

    private LoadStack(LocalStackOptions options, List<String> brokerJvmOptions) throws IOException {
        this.options = options;
        this.broker = new KafkaBroker(options, options.home().resolve("local-stack/target/kafka-libs"),
                KafkaSecurity.plaintext(options), brokerJvmOptions);
        this.signIn = LocalSignIn.open(options.workDir());
    }

    /**
     * @param home    the repository root (the jars are under it)
     * @param engine  inference's backbone engine (onnxruntime or pytorch)
     * @param weights the backbone weights inference loads; empty = seeded random init
     * @param brokerJvmOptions the broker's JVM options after {@link KafkaBroker#JVM_OPTIONS}
     * @param ingest    ingest's configuration and JVM options over the local stack's
     * @param inference inference's, the same way
     */
    static LoadStack start(Path home, String engine, Optional<Path> weights, List<String> brokerJvmOptions,
                           Overrides ingest, Overrides inference) throws IOException, InterruptedException {
        Path work = home.resolve("benchmarks/target/full-stack");
        Directories.deleteRecursively(work);
        List<String> args = new ArrayList<>(List.of("--kafka-port", String.valueOf(freePort()),
                "--controller-port", String.valueOf(freePort()), "--ingest-port", String.valueOf(freePort()),
                "--inference-port", String.valueOf(freePort()), "--ingest-management-port", String.valueOf(freePort()),
                "--inference-management-port", String.valueOf(freePort()), "--work-dir", work.toString(),
                "--backbone-engine", engine));
        weights.ifPresent(w -> {
            args.add("--backbone-weights");
            args.add(w.toAbsolutePath().toString());
        });
        LoadStack stack = new LoadStack(LocalStackOptions.parse(args, home), brokerJvmOptions);
        try {
            stack.startAll(ingest, inference);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    private void startAll(Overrides ingestOverrides, Overrides inferenceOverrides)
            throws IOException, InterruptedException {
        Files.createDirectories(options.workDir());
        broker.start();
        KafkaSecurity kafka = broker.security();
        Path home = options.home();
        // As LocalStack.services(): its JVMs, ingest's pseudonymisation key, inference's model settings.
        Map<String, String> ingestEnv = new LinkedHashMap<>(kafka.serviceEnvironment(KafkaAccess.INGEST));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        ingestEnv.put("INGEST_PSEUDONYMISATION_KEY", HexFormat.of().formatHex(key));
        Map<String, String> ingestProps = new LinkedHashMap<>(signIn.tokenProperties());
        ingestProps.putAll(ingestOverrides.properties());
        ingest = ServiceProcess.of("ingest-service", home.resolve("ingest-service/target/quarkus-app/quarkus-run.jar"),
                options.ingestPort(), options.ingestManagementPort(), options,
                ingestOverrides.jvmOptionsAfter(LocalStack.INGEST_JVM), ingestProps, ingestEnv);
        Map<String, String> inferenceProps = new LinkedHashMap<>(signIn.inferenceProperties());
        inferenceProps.put("inference.model.backbone", options.backbone());
        options.backboneWeights().ifPresent(w -> inferenceProps.put("inference.model.backbone-weights", w.toString()));
        inferenceProps.put("inference.model.backbone-readout", options.backboneReadout());
        inferenceProps.put("inference.model.backbone-engine", options.backboneEngine());
        inferenceProps.put("inference.kafka.transactional-id", "inference-load");
        inferenceProps.putAll(inferenceOverrides.properties());
        Map<String, String> inferenceEnv = new LinkedHashMap<>(kafka.serviceEnvironment(KafkaAccess.INFERENCE));
        inferenceEnv.put("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        inference = ServiceProcess.of("inference-service",
                home.resolve("inference-service/target/quarkus-app/quarkus-run.jar"), options.inferencePort(),
                options.inferenceManagementPort(), options,
                inferenceOverrides.jvmOptionsAfter(LocalStack.INFERENCE_JVM), inferenceProps, inferenceEnv);
        for (ServiceProcess service : List.of(ingest, inference)) {
            started.add(service);
            service.start(Duration.ofMinutes(3));
        }
    }

    /**
     * One service's settings over the local stack's: system properties, and JVM options placed after the stack's own
     * (for a flag the later one wins, so {@code -XX:-UseParallelGC -XX:+UseG1GC} undoes ingest's collector).
     */
    record Overrides(Map<String, String> properties, List<String> jvmOptions) {

        static final Overrides NONE = new Overrides(Map.of(), List.of());

        Overrides {
            properties = Map.copyOf(properties);
            jvmOptions = List.copyOf(jvmOptions);
        }

        List<String> jvmOptionsAfter(List<String> stackOptions) {
            List<String> all = new ArrayList<>(stackOptions);
            all.addAll(jvmOptions);
            return all;
        }
    }

    LocalStackOptions options() {
        return options;
    }

    LocalSignIn signIn() {
        return signIn;
    }

    /** The measured processes by stage, in pipeline order. */
    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("broker", broker.pid());
        pids.put("ingest", ingest.pid());
        pids.put("inference", inference.pid());
        return pids;
    }

    /** Whether every process still runs (a load that kills one is a result, not a measurement). */
    Optional<String> dead() {
        if (!broker.alive()) {
            return Optional.of("broker");
        }
        return started.stream().filter(s -> !s.alive()).map(ServiceProcess::name).findFirst();
    }

    Path logs() {
        return options.workDir().resolve("logs");
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop();
        }
        broker.stop();
        signIn.close();
    }

    private static int freePort() throws IOException {
        return FreePorts.next(); // below the ephemeral range: no outgoing connection takes it before the bind
    }
}
