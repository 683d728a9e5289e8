package io.scanstream.review.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.review.domain.ImageLocation;
import io.scanstream.review.domain.ScanImages;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one {@code scans.preprocessed} record by partition and offset with a small consumer of its own (no group,
 * one record per fetch), decoded with the contract's codec. Calls are serialised: a page asks for one image at a
 * time and {@link io.scanstream.review.domain.ImageCache} answers repeats.
 */
public final class TopicScanImages implements ScanImages, AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Duration timeout;

    public TopicScanImages(Map<String, Object> settings, String topic, Duration timeout) {
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    public static Map<String, Object> requiredSettings() {
        return Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                // a compacted-away offset: read on to the next record, which is then not this scan's (empty)
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }

    @Override
    public synchronized Optional<GreyImage> image(String scanId, ImageLocation location) {
        TopicPartition partition = new TopicPartition(topic, location.partition());
        consumer.assign(List.of(partition));
        consumer.seek(partition, location.offset());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < location.offset()) {
                    continue;
                }
                if (record.offset() > location.offset() || !scanId.equals(record.key()) || record.value() == null) {
                    return Optional.empty(); // compacted away or replaced: no longer this scan's record
                }
                try {
                    return Optional.of(EventCodecs.PREPROCESSED.fromRecord(record).image());
                } catch (InvalidEventException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
