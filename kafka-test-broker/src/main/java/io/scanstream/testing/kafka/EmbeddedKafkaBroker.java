package io.scanstream.testing.kafka;

import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * A real single-node KRaft broker (combined broker + controller) inside the test JVM, built with Apache Kafka's
 * own {@link KafkaClusterTestKit}: the same broker code as production, no Docker, no mock. Starts in a few
 * seconds; {@link #shared()} gives every test class in a JVM the same broker.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    static {
        // Kafka's broker ends its JVM (Exit.halt(1)) when it finds its log directory failed, as it can while a test JVM
        // exits: the shutdown hook deletes the directories of a broker whose threads are still stopping. In a test
        // JVM that turned runs whose every test had passed into a non-zero exit code (surefire: "Error occurred in
        // starting fork"). Kafka's own tests replace these procedures; here the request is reported instead.
        Exit.setHaltProcedure((code, message) -> System.err.printf(
                "embedded Kafka broker asked to halt the JVM (status %d: %s); ignored in a test JVM%n", code, message));
        Exit.setExitProcedure((code, message) -> System.err.printf(
                "embedded Kafka broker asked to exit the JVM (status %d: %s); ignored in a test JVM%n", code, message));
    }

    private static EmbeddedKafkaBroker shared;

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts a broker with the contract's topics created. */
    public static EmbeddedKafkaBroker start() {
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
                    // One node: internal topics cannot have more replicas than that.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "3")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // Topics come from the contract; a typo in a channel's topic must fail, not create a topic.
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("message.max.bytes", String.valueOf(Topics.SCAN_MAX_MESSAGE_BYTES))
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(cluster);
            broker.createTopics(Topics.ALL);
            return broker;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka broker", e);
        }
    }

    /** One broker for the whole test JVM, started on first use and closed when the JVM exits. */
    public static synchronized EmbeddedKafkaBroker shared() {
        if (shared == null) {
            shared = start();
            EmbeddedKafkaBroker broker = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-kafka-shutdown"));
        }
        return shared;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates topics with their contract configs; topics that exist already are left as they are. */
    public void createTopics(Collection<TopicSpec> topics) {
        try (Admin admin = admin()) {
            List<NewTopic> newTopics = topics.stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.configs()))
                    .toList();
            for (var result : admin.createTopics(newTopics).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topics", e.getCause());
        }
    }

    private volatile boolean closed;

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
        } catch (Exception e) {
            // Closing at JVM exit: nothing left to do with a failure but report it.
            System.err.println("embedded Kafka broker did not close cleanly: " + e);
        }
    }
}
