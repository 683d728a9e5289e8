package io.scanstream.ingest.messaging;

import io.scanstream.ingest.config.IngestConfig;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.service.config.TopicNames;
import io.scanstream.service.kafka.KafkaClientSettings;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Map;

/**
 * Before ingest processes a {@code scans.arrived} partition it has just been assigned (at start, after a restart,
 * on every rebalance), it reads back the seen partition of the same number ({@link SeenScans}) into the pipeline's
 * bounded memory, so a scan accepted by an earlier process or another replica is recognised as a duplicate.
 * Runs on the channel's polling thread, inside the consumer's poll: no record of the partition is handed out before
 * its memory is loaded. A load that fails throws, which fails the channel (health DOWN, the pod restarted) rather
 * than processing scans it cannot check.
 */
@ApplicationScoped
@Identifier(SeenScansLoader.NAME)
public class SeenScansLoader implements KafkaConsumerRebalanceListener {

    /** Named by {@code mp.messaging.incoming.scans-arrived.consumer-rebalance-listener.name}. */
    public static final String NAME = "ingest-seen-scans";
    /** Its raw consumer's name under {@code scanstream.kafka.clients.}. */
    static final String CLIENT = "ingest-seen";

    private static final Logger LOG = Logger.getLogger(SeenScansLoader.class);

    private final IngestPipeline pipeline;
    private final KafkaClientSettings clients;
    private final String seenTopic;
    private final IngestConfig config;

    public SeenScansLoader(IngestPipeline pipeline, KafkaClientSettings clients, TopicNames topics, IngestConfig config) {
        this.pipeline = pipeline;
        this.clients = clients;
        this.seenTopic = topics.seen();
        this.config = config;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        var numbers = partitions.stream().map(TopicPartition::partition).sorted().toList();
        long start = System.nanoTime();
        long read = SeenScans.read(clients.forClient(CLIENT, Map.of()), seenTopic, numbers,
                config.dedupeLoadTimeout(), pipeline::recall);
        LOG.infof("seen.loaded partitions=%s records=%d remembered=%d ms=%d", numbers, read, pipeline.remembered(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
