package io.scanstream.review.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.review.domain.LabelPublisher;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a radiologist's label on {@code scans.labels} (contract v1, {@link EventCodecs#LABELLED}) and waits for
 * the broker's acknowledgement: the page answers only once the label is recorded (idempotent producer: a retry
 * does not double it).
 */
public final class KafkaLabelPublisher implements LabelPublisher, AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;

    public KafkaLabelPublisher(Map<String, Object> settings, String topic, Duration timeout) {
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    public static Map<String, Object> requiredSettings() {
        return Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    @Override
    public void publish(ScanLabel label) {
        try {
            producer.send(EventCodecs.LABELLED.toRecord(topic, label)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabelNotRecordedException("interrupted while recording the label", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new LabelNotRecordedException("the broker did not take the label: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
