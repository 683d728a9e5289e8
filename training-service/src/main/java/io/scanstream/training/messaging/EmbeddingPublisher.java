package io.scanstream.training.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.service.config.TopicNames;
import io.scanstream.service.kafka.KafkaClientSettings;
import io.scanstream.training.domain.EmbeddingSink;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * Publishes embeddings training computed (for a new backbone, or scans inference has not embedded) to
 * scans.embeddings with their backbone id, as inference publishes its own: the training set keeps them, so a
 * scan is embedded once per backbone. Idempotent producer; a lost send only means the next run computes it again.
 */
@ApplicationScoped
public class EmbeddingPublisher implements EmbeddingSink {

    static final String CLIENT = "embedding-publisher";
    /** Device of a scan whose device the training set never saw (it knew only its label). */
    static final URI UNKNOWN_DEVICE = URI.create("urn:scanstream:device:unknown");
    private static final Logger LOG = Logger.getLogger(EmbeddingPublisher.class);

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    public EmbeddingPublisher(TopicNames topics, KafkaClientSettings clients) {
        this.topic = topics.embeddings();
        this.producer = new KafkaProducer<>(clients.forClient(CLIENT, Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all")),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void publish(String backboneId, List<Computed> embeddings) {
        OffsetDateTime now = OffsetDateTime.now();
        for (Computed c : embeddings) {
            URI device = c.scan().device() == null ? UNKNOWN_DEVICE : URI.create(c.scan().device());
            producer.send(EventCodecs.EMBEDDED.toRecord(topic, new ScanEmbedding(c.scan().scanId(), device, now,
                    c.scan().patient(), backboneId, c.vector(), c.scan().origin())));
        }
        producer.flush();
        LOG.infof("training.embeddings.published backbone=%s count=%d", backboneId, embeddings.size());
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
