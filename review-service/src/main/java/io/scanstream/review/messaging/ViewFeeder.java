package io.scanstream.review.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.review.domain.ImageLocation;
import io.scanstream.review.domain.ReviewView;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds the {@link ReviewView} from {@code scans.predictions}, {@code scans.preprocessed} and {@code scans.labels}:
 * one consumer, every partition assigned, read from the beginning at each start and never committed (no group:
 * each replica builds its own view; the topics are the state). Of a preprocessed record only the device and the
 * record's partition and offset are kept. A record that is not a valid event is counted and skipped.
 */
public final class ViewFeeder implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ViewFeeder.class);
    /** Topics created after start are found by re-reading the partitions now and then. */
    private static final Duration REASSIGN_EVERY = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final ReviewView view;
    private final String predictions;
    private final String preprocessed;
    private final String labels;
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean stopped;
    private volatile String failure;

    /** @param settings the client's settings (KafkaClientSettings); the feeder adds what it depends on */
    public ViewFeeder(Map<String, Object> settings, ReviewView view, String predictions, String preprocessed,
                      String labels) {
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
        this.view = view;
        this.predictions = predictions;
        this.preprocessed = preprocessed;
        this.labels = labels;
    }

    /** What the feeder depends on, applied over configuration. */
    public static Map<String, Object> requiredSettings() {
        return Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }

    public long invalidRecords() {
        return invalid.get();
    }

    public long recordsRead() {
        return read.get();
    }

    /** False once the feeding thread has ended (closed, or a failure: {@link #failure()}). */
    public boolean alive() {
        return !stopped;
    }

    public String failure() {
        return failure;
    }

    @Override
    public void run() {
        List<TopicPartition> assigned = List.of();
        long nextAssign = 0;
        try {
            while (running) {
                if (System.nanoTime() >= nextAssign) {
                    try {
                        assigned = reassign(assigned);
                        nextAssign = System.nanoTime() + REASSIGN_EVERY.toNanos();
                    } catch (RetriableException e) {
                        // The broker is not reachable (yet): the view waits for it rather than ending.
                        LOG.warnf("review view cannot read the topics' partitions yet: %s", e.getMessage());
                        Thread.sleep(2000);
                        continue;
                    }
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(500);
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read.incrementAndGet();
                    apply(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.errorf(e, "view feeder stopped: %s", e.getMessage());
        } finally {
            stopped = true;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    void apply(ConsumerRecord<String, byte[]> record) {
        try {
            if (record.topic().equals(predictions)) {
                view.predicted(EventCodecs.PREDICTED.fromRecord(record));
            } else if (record.topic().equals(labels)) {
                view.labelled(EventCodecs.LABELLED.fromRecord(record));
            } else if (record.topic().equals(preprocessed) && record.value() != null) {
                var scan = EventCodecs.PREPROCESSED.fromRecord(record);
                view.preprocessed(scan.scanId(), scan.device().toString(),
                        new ImageLocation(record.partition(), record.offset()));
            }
        } catch (InvalidEventException e) {
            invalid.incrementAndGet();
            LOG.debugf("review view skips %s@%d/%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        } catch (RuntimeException e) {
            // One record the codecs did not foresee must not stop the view for every other scan.
            invalid.incrementAndGet();
            LOG.warnf("review view skips %s@%d/%d: %s", record.topic(), record.partition(), record.offset(), e);
        }
    }

    /** Adds partitions that appeared (a topic created after start), each read from its beginning. */
    private List<TopicPartition> reassign(List<TopicPartition> current) {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : List.of(predictions, preprocessed, labels)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null) {
                infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        if (all.size() == current.size() && current.containsAll(all)) {
            return current;
        }
        List<TopicPartition> added = new ArrayList<>(all);
        added.removeAll(current);
        consumer.assign(all);
        consumer.seekToBeginning(added);
        LOG.infof("review view reads partitions=%d", all.size());
        return all;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
