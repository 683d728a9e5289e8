package io.scanstream.benchmarks;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.ImageFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The device and the clients around the stack: sends {@code ScanArrived} records to {@code scans.arrived} as
 * local-stack's simulated device does (acks=all, one record per scan, open loop at a fixed rate), and reads
 * {@code scans.predictions} and {@code scans.rejected} read_committed, as downstream clients do. A scan's latency is
 * from its send (the moment its {@code acquiredAt} is taken, just before {@code producer.send}) to the moment this
 * consumer sees its committed outcome, both on this JVM's monotonic clock. Given the preprocessed topic, it also
 * reads ingest's records (read_committed, their timestamps only) to split that latency by stage ({@link StageLatency}).
 */
final class ScanTraffic implements AutoCloseable {

    static final URI DEVICE = URI.create("/devices/load-generator");

    /** One scan sent: its index in sending order and its send time. */
    record Sent(long index, long sentNanos, long sentMillis) {
    }

    /**
     * One committed outcome seen; the wall-clock marks (epoch ms) are the send, the outcome record's timestamp (its
     * producer's send, just before inference's commit) and the moment it was seen.
     */
    record Outcome(long index, long sentNanos, long seenNanos, boolean predicted, long sentMillis,
                   long outcomeSentMillis, long seenMillis) {
        double latencyMillis() {
            return (seenNanos - sentNanos) / 1e6;
        }
    }

    private final String arrivedTopic;
    private final String predictionsTopic;
    private final List<byte[]> images;
    private final List<String> contentTypes = new ArrayList<>();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    /** A scan's id is this prefix and its index: the one place the id's form is written. */
    private final String scanIdPrefix = "load-" + runId + "-";
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private final KafkaConsumer<String, byte[]> stageConsumer;
    private final Thread stageReader;
    /** Scan index -> timestamp of ingest's preprocessed record (epoch ms), when stage times are read. */
    private final Map<Long, Long> ingestSentMillis = new ConcurrentHashMap<>();
    private final Map<String, Sent> inFlight = new ConcurrentHashMap<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private final AtomicLong sendFailures = new AtomicLong();
    /** This run's predictions by the backbone that made them, UNDETERMINED ones (no head yet) apart. */
    private final Map<String, AtomicLong> byBackbone = new ConcurrentHashMap<>();
    /** When the client first saw a prediction of this run by each backbone (epoch ms), UNDETERMINED ones apart. */
    private final Map<String, Long> firstSeenMillisByBackbone = new ConcurrentHashMap<>();
    private long nextIndex;
    private volatile boolean running = true;

    /** Without stage times. */
    ScanTraffic(String bootstrapServers, String arrivedTopic, String predictionsTopic, String rejectedTopic,
                List<byte[]> images) {
        this(bootstrapServers, arrivedTopic, predictionsTopic, rejectedTopic, null, images);
    }

    /** With {@code preprocessedTopic} non-null, also reads ingest's output for the stage split. */
    ScanTraffic(String bootstrapServers, String arrivedTopic, String predictionsTopic, String rejectedTopic,
                String preprocessedTopic, List<byte[]> images) {
        this.arrivedTopic = arrivedTopic;
        this.predictionsTopic = predictionsTopic;
        this.images = images;
        for (byte[] image : images) {
            contentTypes.add(ImageFormat.sniff(image).mediaType());
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.CLIENT_ID_CONFIG, "load-generator-device",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.SCAN_MAX_MESSAGE_BYTES),
                new StringSerializer(), new ByteArraySerializer());
        consumer = readCommitted(bootstrapServers, "load-generator-" + runId);
        consumer.subscribe(List.of(predictionsTopic, rejectedTopic));
        reader = new Thread(() -> pollUntilClosed(consumer, this::onOutcome), "load-generator-client");
        reader.setDaemon(true);
        reader.start();
        if (preprocessedTopic != null) {
            stageConsumer = readCommitted(bootstrapServers, "load-generator-stages-" + runId);
            stageConsumer.subscribe(List.of(preprocessedTopic));
            stageReader = new Thread(() -> pollUntilClosed(stageConsumer, this::onIngestOutput), "load-generator-stages");
            stageReader.setDaemon(true);
            stageReader.start();
        } else {
            stageConsumer = null;
            stageReader = null;
        }
    }

    private static KafkaConsumer<String, byte[]> readCommitted(String bootstrapServers, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The index of one of this run's scans, from its id (the record key); -1 for anything else. */
    private long indexOf(String scanId) {
        return scanId != null && scanId.startsWith(scanIdPrefix)
                ? Long.parseLong(scanId.substring(scanIdPrefix.length())) : -1;
    }

    /** Hands each record to {@code onRecord} until {@link #close()}, then closes the consumer (its thread's own). */
    private void pollUntilClosed(KafkaConsumer<String, byte[]> from, Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        try {
            while (running) {
                from.poll(Duration.ofMillis(100)).forEach(onRecord);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            from.close(Duration.ofSeconds(5));
        }
    }

    private void onIngestOutput(ConsumerRecord<String, byte[]> r) {
        long index = indexOf(r.key());
        if (index >= 0) {
            ingestSentMillis.putIfAbsent(index, r.timestamp());
        }
    }

    private void onOutcome(ConsumerRecord<String, byte[]> r) {
        long seen = System.nanoTime();
        long seenMillis = System.currentTimeMillis();
        if (r.value() == null) {
            return;
        }
        boolean predicted = r.topic().equals(predictionsTopic);
        ScanPrediction prediction = predicted ? EventCodecs.PREDICTED.fromRecord(r) : null;
        String scanId = predicted ? prediction.scanId() : EventCodecs.REJECTED.fromRecord(r).scanId();
        Sent sent = inFlight.remove(scanId);
        if (sent != null) { // a scan of this run, seen for the first time
            if (predicted) {
                byBackbone.computeIfAbsent(backboneKey(prediction), k -> new AtomicLong()).incrementAndGet();
                firstSeenMillisByBackbone.putIfAbsent(backboneKey(prediction), seenMillis);
            }
            synchronized (outcomes) {
                outcomes.add(new Outcome(sent.index(), sent.sentNanos(), seen, predicted, sent.sentMillis(),
                        r.timestamp(), seenMillis));
            }
        }
    }

    private static String backboneKey(ScanPrediction prediction) {
        return prediction.label() == PredictedLabel.UNDETERMINED ? prediction.backbone() + " (undetermined)"
                : prediction.backbone();
    }

    /** This run's scans that a head on {@code backboneId} scored. */
    long scoredBy(String backboneId) {
        AtomicLong n = byBackbone.get(backboneId);
        return n == null ? 0 : n.get();
    }

    /** When the client first saw a prediction of this run that a head on {@code backboneId} scored (epoch ms). */
    java.util.Optional<Long> firstScoredMillis(String backboneId) {
        return java.util.Optional.ofNullable(firstSeenMillisByBackbone.get(backboneId));
    }

    /** This run's predictions so far by backbone ({@code " (undetermined)"} marks those made without a head). */
    Map<String, Long> predictionsByBackbone() {
        Map<String, Long> out = new java.util.TreeMap<>();
        byBackbone.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The image scan {@code index} carries: the list in order, round and round. */
    private int imageOf(long index) {
        return (int) (index % images.size());
    }

    /** Sends one scan now; returns its index. */
    long sendOne() {
        long index = nextIndex++;
        int image = imageOf(index);
        String scanId = scanIdPrefix + index;
        long now = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        inFlight.put(scanId, new Sent(index, now, nowMillis));
        ScanArrived arrival = new ScanArrived(scanId, DEVICE,
                OffsetDateTime.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC), "load-patient-" + (index % 97),
                contentTypes.get(image), images.get(image), null);
        producer.send(EventCodecs.ARRIVED.toRecord(arrivedTopic, arrival), (metadata, error) -> {
            if (error != null) {
                sendFailures.incrementAndGet();
                inFlight.remove(scanId);
            }
        });
        return index;
    }

    /**
     * Sends at {@code rate} scans/s for {@code duration}, open loop (the schedule does not wait for the stack, as a
     * scanner does not); returns the index range sent, [first, end).
     */
    long[] sendAt(double rate, Duration duration) throws InterruptedException {
        long first = nextIndex;
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long next = start;
        while (next < end) {
            sendOne();
            next += interval;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
        return new long[] {first, nextIndex};
    }

    long sent() {
        return nextIndex;
    }

    long outcomeCount() {
        synchronized (outcomes) {
            return outcomes.size();
        }
    }

    /** Sent, not failed, and no outcome seen yet: the backlog somewhere in the pipeline. */
    long outstanding() {
        return inFlight.size();
    }

    long sendFailures() {
        return sendFailures.get();
    }

    /** Outcomes of the scans with index in [from, to). */
    List<Outcome> outcomesOf(long from, long to) {
        synchronized (outcomes) {
            return outcomes.stream().filter(o -> o.index() >= from && o.index() < to).toList();
        }
    }

    /** Stage marks of the predicted scans with index in [from, to) whose ingest record was seen; empty without stages. */
    List<StageLatency.Marks> stageMarksOf(long from, long to) {
        if (stageConsumer == null) {
            return List.of();
        }
        return outcomesOf(from, to).stream().filter(Outcome::predicted)
                .filter(o -> ingestSentMillis.containsKey(o.index()))
                .map(o -> new StageLatency.Marks(o.index(), imageOf(o.index()), o.sentMillis(),
                        ingestSentMillis.get(o.index()), o.outcomeSentMillis(), o.seenMillis()))
                .toList();
    }

    /**
     * Waits until no scan in [from, to) is still in flight (each has an outcome or its send failed) or
     * {@code timeout} passes; returns whether none is.
     */
    boolean awaitOutcomes(long from, long to, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (inFlight.values().stream().noneMatch(s -> s.index() >= from && s.index() < to)) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void close() {
        running = false;
        producer.close(Duration.ofSeconds(5));
        consumer.wakeup();
        if (stageConsumer != null) {
            stageConsumer.wakeup();
        }
        try {
            reader.join(10_000);
            if (stageReader != null) {
                stageReader.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
