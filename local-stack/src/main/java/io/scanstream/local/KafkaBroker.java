package io.scanstream.local;

import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft broker (broker and controller in one JVM) started from Apache Kafka's own jars:
 * {@code kafka.tools.StorageTool format}, then {@code kafka.Kafka server.properties}, logging through log4j2 to
 * {@code logs/kafka.log} so that a failing broker says why.
 */
public final class KafkaBroker {

    private final LocalStackOptions options;
    private final Path kafkaLibs;
    private final Path dir;
    private ManagedProcess process;

    public KafkaBroker(LocalStackOptions options, Path kafkaLibs) {
        this.options = options;
        this.kafkaLibs = kafkaLibs;
        this.dir = options.workDir().resolve("kafka");
    }

    public void start() throws IOException, InterruptedException {
        if (!Files.isDirectory(kafkaLibs)) {
            throw new IOException("no broker class path at " + kafkaLibs + "; build first: ./mvnw -B -DskipTests package");
        }
        Path data = dir.resolve("data");
        if (!options.keepData()) {
            Files.createDirectories(dir);
            deleteRecursively(data);
        }
        Files.createDirectories(data);
        Path serverProperties = dir.resolve("server.properties");
        Files.writeString(serverProperties, serverProperties(data));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, LOG4J2);

        Path log = options.workDir().resolve("logs/kafka.log");
        List<String> java = List.of(javaBin(), "-Xms256m", "-Xmx512m", "-Dlog4j2.configurationFile=" + log4j,
                "-cp", kafkaLibs.toAbsolutePath() + "/*");
        ManagedProcess format = new ManagedProcess("kafka-storage-format", concat(java, "kafka.tools.StorageTool",
                "format", "--ignore-formatted", "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString()),
                Map.of(), log);
        int exit = format.runToCompletion(Duration.ofMinutes(1));
        if (exit != 0) {
            throw new IOException("formatting the broker's storage failed (exit " + exit + "); see " + log);
        }
        process = new ManagedProcess("kafka", concat(java, "kafka.Kafka", serverProperties.toString()), Map.of(), log);
        process.start();
        awaitReady(Duration.ofSeconds(90), log);
        createTopics();
    }

    public void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
        }
    }

    public boolean alive() {
        return process != null && process.alive();
    }

    private void awaitReady(Duration timeout, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                if (!process.alive()) {
                    throw new IOException("the broker exited during start-up; see " + log);
                }
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    Thread.sleep(500);
                }
            }
        }
        throw new IOException("the broker did not answer within " + timeout.toSeconds() + "s; see " + log);
    }

    private void createTopics() throws InterruptedException, IOException {
        try (Admin admin = admin()) {
            for (TopicSpec spec : Topics.ALL) {
                String name = options.topic(spec.name());
                try {
                    admin.createTopics(List.of(new NewTopic(name, spec.partitions(), (short) 1).configs(spec.configs())))
                            .all().get(30, TimeUnit.SECONDS);
                    Console.line("topic %s: %d partition(s) %s", name, spec.partitions(), spec.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IOException("could not create topic " + name, e.getCause());
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IOException("creating topic " + name + " timed out", e);
                }
            }
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    private String serverProperties(Path data) {
        int port = options.kafkaPort();
        int controller = options.controllerPort();
        return """
                # Written by the ScanStream local stack: one node, broker and KRaft controller together.
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@localhost:%d
                listeners=PLAINTEXT://localhost:%d,CONTROLLER://localhost:%d
                advertised.listeners=PLAINTEXT://localhost:%d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%s
                num.partitions=%d
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                # Topics come from the contract; a misspelt topic must fail loudly, not be created.
                auto.create.topics.enable=false
                message.max.bytes=%d
                """.formatted(controller, port, controller, port, data, Topics.DEFAULT_PARTITIONS,
                Topics.SCAN_MAX_MESSAGE_BYTES);
    }

    private static final String LOG4J2 = """
            # The broker's logging: INFO to its log file, so that a broker that fails says why.
            status = warn
            appender.console.type = Console
            appender.console.name = STDOUT
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.stdout.ref = STDOUT
            logger.kafka.name = kafka
            logger.kafka.level = INFO
            logger.state.name = state.change.logger
            logger.state.level = WARN
            """;

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
