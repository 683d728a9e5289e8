package io.scanstream.training.messaging;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.Topics;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.metrics.TrainingMetrics;
import io.scanstream.training.training.HeadRunPipeline;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes head versions to models.published (compacted, keyed by model name), each exactly once: the producer
 * is idempotent (a retried send is de-duplicated by the broker) and a run publishes at most one version (runs
 * already published are remembered and refused). A single record needs no transaction: there is no
 * consume-transform-produce here, and an aborted transaction's record would still reach consumers that read
 * uncommitted data. The whole artifact travels in the record (a few MB); the topic allows 16 MiB.
 */
@ApplicationScoped
public class ModelPublisher implements HeadRunPipeline.VersionPublisher {

    private static final Logger LOG = Logger.getLogger(ModelPublisher.class);

    private final String topic;
    private final Duration timeout;
    private final TrainingMetrics metrics;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, String> versionByRun = new ConcurrentHashMap<>();

    public ModelPublisher(TrainingConfig config, TrainingMetrics metrics,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.topic = config.topics().models();
        this.timeout = config.kafka().publishTimeout();
        this.metrics = metrics;
        int timeoutMs = (int) timeout.toMillis();
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "training-model-publisher",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // delivery.timeout.ms must cover request.timeout.ms + linger.ms
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, timeoutMs / 2),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(1_000, timeoutMs / 2) + Math.max(0, timeoutMs / 2),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized void publish(String runId, ModelArtifact artifact) {
        String version = artifact.metadata().version();
        String earlier = versionByRun.get(runId);
        if (earlier != null) {
            throw new IllegalStateException("run " + runId + " already published version " + earlier);
        }
        try {
            RecordMetadata written = producer.send(EventCodecs.MODEL_PUBLISHED.toRecord(topic,
                    new ModelPublished(artifact))).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            versionByRun.put(runId, version);
            metrics.versionPublished();
            LOG.infof("model.published model=%s version=%s backbone=%s sha256=%s auc=%s run=%s topic=%s offset=%d bytes=%d",
                    artifact.metadata().modelName(), version, artifact.metadata().backboneId(),
                    artifact.metadata().weightsSha256(), artifact.metadata().metrics().auc(), runId, topic,
                    written.offset(), written.serializedValueSize());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + version, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish " + version + " to " + topic + ": "
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
