package io.scanstream.training.messaging;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.signing.ModelSigner;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.RunObserver;
import io.scanstream.training.domain.VersionPublisher;
import io.scanstream.service.config.TopicNames;
import io.scanstream.service.kafka.KafkaClientSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
public class ModelPublisher implements VersionPublisher {

    private static final Logger LOG = Logger.getLogger(ModelPublisher.class);
    static final String CLIENT = "model-publisher";

    private final String topic;
    private final Duration timeout;
    private final RunObserver observer;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, String> versionByRun = new ConcurrentHashMap<>();
    /** Null only with training.signing.enabled=false (development). */
    private final ModelSigner signer;

    public ModelPublisher(TrainingConfig config, TopicNames topics, RunObserver observer,
                          KafkaClientSettings clients, VersionSigning signing) {
        this.topic = topics.models();
        this.timeout = config.kafka().publishTimeout();
        this.observer = observer;
        this.signer = signing.signer();
        int timeoutMs = (int) timeout.toMillis();
        int requestTimeoutMs = Math.max(1_000, timeoutMs / 2);
        // Exactly once per send (idempotence needs acks=all), records as large as the topic allows, and a publish
        // that gives up within training.kafka.publish-timeout (delivery.timeout.ms covers request.timeout.ms).
        this.producer = new KafkaProducer<>(clients.forClient(CLIENT, Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, requestTimeoutMs + Math.max(0, timeoutMs / 2),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs)),
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
            ModelPublished event = new ModelPublished(artifact);
            RecordMetadata written = producer.send(signer == null ? EventCodecs.MODEL_PUBLISHED.toRecord(topic, event)
                    : EventCodecs.signedModelRecord(topic, event, signer))
                    .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            versionByRun.put(runId, version);
            observer.versionPublished(version);
            LOG.infof("model.published model=%s version=%s backbone=%s sha256=%s signing-key=%s auc=%s run=%s topic=%s offset=%d bytes=%d",
                    artifact.metadata().modelName(), version, artifact.metadata().backboneId(),
                    artifact.metadata().weightsSha256(), signer == null ? "none" : signer.keyId(),
                    artifact.metadata().metrics().auc(), runId, topic,
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
