package io.scanstream.system;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import io.scanstream.local.LocalStackOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What downstream sees (read_committed, as clients read): predictions, rejections and model versions, by scan id and
 * in order. The end-to-end tests ask it whether every scan ended as exactly one outcome.
 */
final class Outcomes implements AutoCloseable {

    private final LocalStackOptions options;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, List<ScanPrediction>> predictions = new HashMap<>();
    private final Map<String, List<ScanRejected>> rejections = new HashMap<>();
    private final List<ModelArtifact> versions = new ArrayList<>();

    Outcomes(LocalStackOptions options) {
        this.options = options;
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "system-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(options.topic(Topics.SCANS_PREDICTIONS), options.topic(Topics.SCANS_REJECTED),
                options.topic(Topics.MODELS_PUBLISHED)));
    }

    void poll(Duration timeout) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            if (r.value() == null) {
                continue; // a tombstone
            }
            if (r.topic().equals(options.topic(Topics.SCANS_PREDICTIONS))) {
                ScanPrediction p = EventCodecs.PREDICTED.fromRecord(r);
                predictions.computeIfAbsent(p.scanId(), k -> new ArrayList<>()).add(p);
            } else if (r.topic().equals(options.topic(Topics.SCANS_REJECTED))) {
                ScanRejected rejected = EventCodecs.REJECTED.fromRecord(r);
                rejections.computeIfAbsent(rejected.scanId(), k -> new ArrayList<>()).add(rejected);
            } else {
                versions.add(EventCodecs.MODEL_PUBLISHED.fromRecord(r).artifact());
            }
        }
    }

    boolean hasOutcome(String id) {
        return predictions.containsKey(id) || rejections.containsKey(id);
    }

    void awaitAll(List<String> ids, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            poll(Duration.ofMillis(200));
            if (ids.stream().allMatch(this::hasOutcome)) {
                return;
            }
        }
        List<String> missing = ids.stream().filter(id -> !hasOutcome(id)).toList();
        throw new AssertionError("no outcome within " + timeout + " for " + missing.size() + " scans: " + missing);
    }

    /** Keeps reading a little longer, to catch duplicates that would arrive late. */
    void settle() {
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < end) {
            poll(Duration.ofMillis(200));
        }
    }

    /** The newest version on {@code models.published}, waiting for one if there is none yet. */
    ModelArtifact awaitModelVersion(Duration timeout) {
        return awaitVersionAfter(0, timeout);
    }

    /** How many version records were read so far (for {@link #awaitVersionAfter}). */
    int versionCount() {
        poll(Duration.ofMillis(100));
        return versions.size();
    }

    /** The newest version once more than {@code seen} version records were read. */
    ModelArtifact awaitVersionAfter(int seen, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (versions.size() <= seen && System.nanoTime() < end) {
            poll(Duration.ofMillis(500));
        }
        assertThat(versions.size()).as("a new model version on models.published").isGreaterThan(seen);
        return versions.get(versions.size() - 1);
    }

    /** Exactly one outcome per scan; the DUPLICATE rejection of a re-delivery does not count against its scan. */
    void assertExactlyOneOutcomeEach(List<String> ids) {
        for (String id : ids) {
            int p = predictions.getOrDefault(id, List.of()).size();
            long r = rejections.getOrDefault(id, List.of()).stream()
                    .filter(x -> x.reason() != RejectionReason.DUPLICATE || p == 0).count();
            assertThat(p + r).as("outcomes of " + id + ": " + predictions.get(id) + " " + rejections.get(id)).isEqualTo(1);
        }
    }

    List<ScanPrediction> predictionsOf(List<String> ids) {
        return ids.stream().flatMap(id -> predictions.getOrDefault(id, List.of()).stream()).collect(Collectors.toList());
    }

    List<ScanRejected> rejectionsOf(List<String> ids) {
        return ids.stream().flatMap(id -> rejections.getOrDefault(id, List.of()).stream()).collect(Collectors.toList());
    }

    ScanRejected rejection(String id) {
        return rejections.get(id).get(0);
    }

    List<ScanRejected> rejectionsFor(String id) {
        return rejections.getOrDefault(id, List.of());
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
