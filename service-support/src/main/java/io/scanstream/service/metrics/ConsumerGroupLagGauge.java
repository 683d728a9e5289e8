package io.scanstream.service.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.service.kafka.KafkaClientSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code scanstream_consumer_group_lag{group,topic}}: the committed lag ({@link ConsumerLag}) of this service's
 * consumer group on the topics it consumes, read with an admin client every {@code scanstream.consumer-lag.interval}
 * (30 s). Active where {@code scanstream.consumer-lag.group} is set (ingest, inference). Chosen over an exporter
 * (kafka-exporter, Burrow): nothing more to deploy, and it uses the service's own Kafka user and security settings;
 * every replica reports the same figure, so alerts take the max. NaN until the first reading, and while the broker
 * cannot be asked (the service-down and readiness alerts cover that).
 */
@ApplicationScoped
public class ConsumerGroupLagGauge {

    /** The admin client's name in configuration ({@code scanstream.kafka.clients.consumer-lag.*}). */
    static final String CLIENT = "consumer-lag";
    static final String METER = "scanstream.consumer.group.lag";

    private static final Logger LOG = Logger.getLogger(ConsumerGroupLagGauge.class);

    private final Optional<String> group;
    private final List<String> topics;
    private final Duration interval;
    private final KafkaClientSettings clients;
    private final Instance<MeterRegistry> registry;
    private final Map<String, AtomicReference<Double>> lagByTopic = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private Admin admin;

    public ConsumerGroupLagGauge(@ConfigProperty(name = "scanstream.consumer-lag.group") Optional<String> group,
                                 @ConfigProperty(name = "scanstream.consumer-lag.topics") Optional<List<String>> topics,
                                 @ConfigProperty(name = "scanstream.consumer-lag.interval", defaultValue = "30s")
                                 Duration interval, KafkaClientSettings clients,
                                 Instance<MeterRegistry> registry) {
        this.group = group.filter(g -> !g.isBlank());
        this.topics = topics.orElse(List.of());
        this.interval = interval;
        this.clients = clients;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        if (group.isEmpty() || topics.isEmpty() || !registry.isResolvable()) {
            return; // a service that consumes nothing of the pipeline's, or has no meter registry
        }
        for (String topic : topics) {
            AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
            lagByTopic.put(topic, value);
            Gauge.builder(METER, value, AtomicReference::get).tag("group", group.get()).tag("topic", topic)
                    .description("Records of the topic not yet committed by the consumer group (end offset minus"
                            + " committed offset, summed over partitions)")
                    .register(registry.get());
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1000, interval.toMillis() / 2));
        admin = Admin.create(clients.forClient(CLIENT, Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs)));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "consumer-lag");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::read, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void read() {
        try {
            Map<String, Long> lag = read(admin, group.get(), topics, interval);
            lagByTopic.forEach((topic, value) -> value.set(lag.containsKey(topic) ? lag.get(topic) : Double.NaN));
        } catch (Exception e) {
            lagByTopic.values().forEach(v -> v.set(Double.NaN));
            LOG.warnf("consumer-lag.unavailable group=%s reason=\"%s\"", group.get(), e.toString());
        } catch (Throwable t) {
            lagByTopic.values().forEach(v -> v.set(Double.NaN)); // never let the schedule die silently
            LOG.errorf(t, "consumer-lag.failed group=%s", group.get());
        }
    }

    /** The committed lag of {@code group} on {@code topics}, as the broker tells it now. */
    public static Map<String, Long> read(Admin admin, String group, List<String> topics, Duration timeout)
            throws Exception {
        long ms = timeout.toMillis();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(ms, TimeUnit.MILLISECONDS).forEach((name, description) ->
                description.partitions().forEach(p -> {
                    latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest());
                    earliest.put(new TopicPartition(name, p.partition()), OffsetSpec.earliest());
                }));
        ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, committedOnly).all().get(ms, TimeUnit.MILLISECONDS)
                .forEach((p, info) -> ends.put(p, info.offset()));
        Map<TopicPartition, Long> starts = new HashMap<>();
        admin.listOffsets(earliest, committedOnly).all().get(ms, TimeUnit.MILLISECONDS)
                .forEach((p, info) -> starts.put(p, info.offset()));
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS);
        offsets.forEach((p, o) -> {
            if (o != null && ends.containsKey(p)) {
                committed.put(p, o.offset());
            }
        });
        return ConsumerLag.byTopic(ends, committed, starts);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
