package io.scanstream.ingest.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Ingest's durable memory of accepted scans, the topic {@code scanstream.topics.seen} ({@code scans.seen}): one
 * record per accepted scan, key = scan id, value {@code {"contentSha256":"<hex>","outcome":"ACCEPTED"}}, written in
 * the partition of the {@code scans.arrived} record it came from and in the same transaction as the scan's outcome
 * and offset. So it exists exactly when the outcome does, and the replica that is assigned an arrival partition
 * finds every scan accepted from it in the seen partition of the same number.
 *
 * <p>Only accepted scans are written: a rejected scan may be sent again, fixed, under its id.
 */
public final class SeenScans {

    /** The only outcome written today; the field leaves room for others without a format change. */
    static final String ACCEPTED = "ACCEPTED";

    private static final Logger LOG = Logger.getLogger(SeenScans.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private SeenScans() {
    }

    /** The value of the seen record of a scan accepted with this content hash. */
    public static byte[] value(String contentSha256) {
        if (contentSha256 == null || !SHA256.matcher(contentSha256).matches()) {
            throw new IllegalArgumentException("not a sha256 in lower-case hex: " + contentSha256);
        }
        return ("{\"contentSha256\":\"" + contentSha256 + "\",\"outcome\":\"" + ACCEPTED + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The content hash a seen record remembers; empty for a tombstone or a record this version cannot read. */
    static Optional<String> contentSha256(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(value);
            String sha = node.path("contentSha256").asText("");
            if (ACCEPTED.equals(node.path("outcome").asText()) && SHA256.matcher(sha).matches()) {
                return Optional.of(sha);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through: reported below
        }
        LOG.warnf("seen.unreadable value of %d bytes ignored", value.length);
        return Optional.empty();
    }

    /**
     * Reads the given partitions of the seen topic from their beginning to their end (read_committed: the last
     * stable offset, so an open transaction of the replica that held the partition before is not waited for), and
     * hands each remembered scan to {@code recall}, oldest first.
     *
     * @param consumerSettings bootstrap servers and security; group, isolation and deserialisers are set here
     * @return how many records were read
     * @throws IllegalStateException if the end is not reached within {@code timeout}
     */
    public static long read(Map<String, Object> consumerSettings, String topic, Collection<Integer> partitions,
                            Duration timeout, BiConsumer<String, String> recall) {
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<String, Object> settings = new HashMap<>(consumerSettings);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, never a member of a group
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<TopicPartition> assigned = partitions.stream().distinct().map(p -> new TopicPartition(topic, p)).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        long read = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings)) {
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = new LinkedHashMap<>(consumer.endOffsets(assigned, timeout));
            while (true) {
                ends.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
                if (ends.isEmpty()) {
                    return read;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " partitions " + partitions + " took longer than "
                            + timeout + "; still to read: " + ends);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    if (record.key() != null) {
                        contentSha256(record.value()).ifPresent(sha -> recall.accept(record.key(), sha));
                    }
                }
            }
        }
    }
}
