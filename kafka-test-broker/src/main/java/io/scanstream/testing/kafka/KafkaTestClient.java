package io.scanstream.testing.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Plain Kafka clients for tests that play a device, a clinician or a downstream consumer against the real broker.
 * Consumers read committed data only, as every downstream service does.
 */
public final class KafkaTestClient implements AutoCloseable {

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;

    public KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 * 1024 * 1024,
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
    }

    public static KafkaTestClient forSharedBroker() {
        return new KafkaTestClient(EmbeddedKafkaBroker.shared().bootstrapServers());
    }

    /** Sends and waits for the broker's acknowledgement. */
    public void send(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not send to " + record.topic(), e);
        }
    }

    /**
     * Reads the topic from the beginning until {@code expected} records matching the filter have been seen or
     * the timeout passes, and returns every matching record seen (more than expected if there were more).
     * After reaching the count it keeps reading for {@code settle} to catch records that should not be there.
     */
    public List<ConsumerRecord<String, byte[]>> collect(String topic, Predicate<ConsumerRecord<String, byte[]>> filter,
                                                        int expected, Duration timeout, Duration settle) {
        List<ConsumerRecord<String, byte[]>> matched = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = newConsumer()) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (filter.test(record)) {
                        matched.add(record);
                    }
                }
                if (matched.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return matched;
    }

    public List<ConsumerRecord<String, byte[]>> collect(String topic, Predicate<ConsumerRecord<String, byte[]>> filter,
                                                        int expected, Duration timeout) {
        return collect(topic, filter, expected, timeout, Duration.ofMillis(500));
    }

    public KafkaConsumer<String, byte[]> newConsumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
