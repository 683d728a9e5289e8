package io.scanstream.local;

import io.scanstream.core.security.Certificates;

import io.scanstream.core.contract.KafkaAccess;
import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft broker (broker and controller in one JVM) started from Apache Kafka's own jars:
 * {@code kafka.tools.StorageTool format}, then {@code kafka.Kafka server.properties}, logging through log4j2 to
 * {@code logs/kafka.log} so that a failing broker says why.
 *
 * <p>Secured ({@link KafkaSecurity#enabled()}, {@code --secure}): a SASL_SSL listener (SCRAM-SHA-512) for the
 * services and tools, a TLS listener that requires client certificates (mutual TLS), a controller listener on TLS
 * with client certificates, the KRaft authorizer with no access without an ACL, the users of {@link KafkaAccess}
 * created at format time and their ACLs ({@link KafkaAccess#principals}) created before any topic is used.
 */
public final class KafkaBroker {

    /**
     * The broker's JVM as Apache Kafka's own scripts start it ({@code kafka-server-start.sh}'s 1 GiB heap,
     * {@code kafka-run-class.sh}'s G1 settings), which compose's {@code apache/kafka} image runs too, and exit on an
     * OutOfMemoryError. Against the former 256m-512m heap: fewer pauses of the same length, the same latency, ~100 MB
     * more resident (docs/benchmarks.md, "Garbage collection on a scan's path").
     */
    public static final List<String> JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError");

    private final LocalStackOptions options;
    private final Path kafkaLibs;
    private final Path dir;
    private final KafkaSecurity security;
    private final List<String> extraJvmOptions;
    private ManagedProcess process;

    public KafkaBroker(LocalStackOptions options, Path kafkaLibs) {
        this(options, kafkaLibs, KafkaSecurity.plaintext(options));
    }

    public KafkaBroker(LocalStackOptions options, Path kafkaLibs, KafkaSecurity security) {
        this(options, kafkaLibs, security, List.of());
    }

    /** @param extraJvmOptions JVM options after {@link #JVM_OPTIONS} (for a flag the later one wins): benchmarks */
    public KafkaBroker(LocalStackOptions options, Path kafkaLibs, KafkaSecurity security, List<String> extraJvmOptions) {
        this.options = options;
        this.kafkaLibs = kafkaLibs;
        this.dir = options.workDir().resolve("kafka");
        this.security = security;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    public void start() throws IOException, InterruptedException {
        if (!Files.isDirectory(kafkaLibs)) {
            throw new IOException("no broker class path at " + kafkaLibs + "; build first: ./mvnw -B -DskipTests package");
        }
        Path data = dir.resolve("data");
        if (!options.keepData()) {
            Files.createDirectories(dir);
            Directories.deleteRecursively(data);
        }
        Files.createDirectories(data);
        Path serverProperties = dir.resolve("server.properties");
        Files.writeString(serverProperties, serverProperties(data));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, LOG4J2);

        Path log = options.workDir().resolve("logs/kafka.log");
        List<String> java = new ArrayList<>(List.of(javaBin()));
        java.addAll(JVM_OPTIONS);
        java.addAll(extraJvmOptions);
        java.addAll(List.of("-Dlog4j2.configurationFile=" + log4j, "-cp", kafkaLibs.toAbsolutePath() + "/*"));
        // Formatted once: a kept data directory (--keep-data, or a restart after a crash) already names its cluster,
        // and formatting it again with a new cluster id fails.
        if (!Files.exists(data.resolve("meta.properties"))) {
            format(java, serverProperties, log);
        }
        process = new ManagedProcess("kafka", concat(java, "kafka.Kafka", serverProperties.toString()), Map.of(), log);
        process.start();
        awaitReady(Duration.ofSeconds(90), log);
        if (security.enabled()) {
            createAcls();
        }
        createTopics();
    }

    private void format(List<String> java, Path serverProperties, Path log) throws IOException, InterruptedException {
        List<String> formatCommand = concat(java, "kafka.tools.StorageTool", "format", "--ignore-formatted", "-t",
                Uuid.randomUuid().toString(), "-c", serverProperties.toString());
        if (security.enabled()) {
            // SCRAM users exist from the first start: the broker's own admin and one per KafkaAccess principal.
            security.passwords().forEach((user, password) -> {
                formatCommand.add("--add-scram");
                formatCommand.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
            });
        }
        ManagedProcess format = new ManagedProcess("kafka-storage-format", formatCommand, Map.of(), log);
        int exit = format.runToCompletion(Duration.ofMinutes(1));
        if (exit != 0) {
            throw new IOException("formatting the broker's storage failed (exit " + exit + "); see " + log);
        }
    }

    public void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
        }
    }

    public boolean alive() {
        return process != null && process.alive();
    }

    /** The broker JVM's pid (benchmarks read its CPU time and RSS from /proc). */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("the broker was not started");
        }
        return process.pid();
    }

    /**
     * Kills the broker without a clean shutdown (fault tests). {@link #start} starts it again; with
     * {@code --keep-data} it recovers its log and every topic's data, as a crashed broker would.
     */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.kill();
        }
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
            for (TopicSpec spec : Topics.all(options.arrivedRetention())) {
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

    /** The least-privilege ACLs of every ScanStream principal (KafkaAccess), topic names as renamed by --topic. */
    private void createAcls() throws IOException, InterruptedException {
        List<AclBinding> bindings = new java.util.ArrayList<>();
        for (KafkaAccess.Principal principal : KafkaAccess.principals(options::topic)) {
            for (KafkaAccess.Grant grant : principal.grants()) {
                ResourcePattern resource = new ResourcePattern(ResourceType.valueOf(grant.type().name()), grant.name(),
                        PatternType.valueOf(grant.pattern().name()));
                for (KafkaAccess.Operation operation : grant.operations()) {
                    bindings.add(new AclBinding(resource, new AccessControlEntry("User:" + principal.user(), "*",
                            AclOperation.valueOf(operation.name()), AclPermissionType.ALLOW)));
                }
            }
        }
        try (Admin admin = admin()) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
            Console.line("Kafka ACLs: %d grants for %s", bindings.size(),
                    KafkaAccess.principals().stream().map(KafkaAccess.Principal::user).toList());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not create the ACLs", e);
        }
    }

    Admin admin() {
        Map<String, Object> settings = new java.util.HashMap<>(security.client(KafkaSecurity.ADMIN));
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(settings);
    }

    private String serverProperties(Path data) {
        return security.enabled() ? securedServerProperties(data) : plaintextServerProperties(data);
    }

    private String securedServerProperties(Path data) {
        Certificates tls = security.certificates();
        String broker = tls.keystore(Certificates.BROKER_CN).toString();
        return """
                # Written by the ScanStream local stack (--secure): one node, broker and KRaft controller together.
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@localhost:%d
                # SECURE: SASL_SSL with SCRAM-SHA-512 (services, tools); MTLS: TLS with client certificates;
                # CONTROLLER: TLS with client certificates (the broker's own certificate).
                listeners=SECURE://localhost:%d,MTLS://localhost:%d,CONTROLLER://localhost:%d
                advertised.listeners=SECURE://localhost:%d,MTLS://localhost:%d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=SECURE
                listener.security.protocol.map=CONTROLLER:SSL,SECURE:SASL_SSL,MTLS:SSL
                sasl.enabled.mechanisms=SCRAM-SHA-512
                sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
                listener.name.secure.scram-sha-512.sasl.jaas.config=%s
                ssl.keystore.location=%s
                ssl.keystore.password=%s
                ssl.keystore.type=PKCS12
                ssl.truststore.location=%s
                ssl.truststore.password=%s
                ssl.truststore.type=PKCS12
                listener.name.mtls.ssl.client.auth=required
                listener.name.controller.ssl.client.auth=required
                # A certificate's principal is its CN (User:scan-device), as SCRAM users are their names.
                ssl.principal.mapping.rules=RULE:^CN=([^,]+).*$/$1/,DEFAULT
                authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
                allow.everyone.if.no.acl.found=false
                super.users=User:%s;User:%s
                log.dirs=%s
                num.partitions=%d
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                auto.create.topics.enable=false
                message.max.bytes=%d
                """.formatted(options.controllerPort(), options.kafkaPort(), options.kafkaTlsPort(),
                options.controllerPort(), options.kafkaPort(), options.kafkaTlsPort(),
                KafkaSecurity.jaas(KafkaSecurity.ADMIN, security.password(KafkaSecurity.ADMIN)),
                broker, tls.password(), tls.truststore(), tls.password(), KafkaSecurity.ADMIN, Certificates.BROKER_CN,
                data, Topics.DEFAULT_PARTITIONS, Topics.SCAN_MAX_MESSAGE_BYTES);
    }

    private String plaintextServerProperties(Path data) {
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

    public KafkaSecurity security() {
        return security;
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
