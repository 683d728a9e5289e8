package io.scanstream.local;

import io.scanstream.core.contract.Topics;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanArrived;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An imaging device: publishes scan-arrival CloudEvents to {@code scans.arrived} at a steady rate, as a real
 * device would (content-type from the bytes, acquisition time, patient reference in {@code ce_subject}).
 * Remembers the ground truth of every scan it sent, for the simulated clinician and the accuracy readout.
 */
final class SimulatedDevice implements Runnable, AutoCloseable {

    static final URI DEVICE = URI.create("/devices/sim-ct-1");

    private final ScanSource source;
    private final String topic;
    private final double rate;
    private final long limit;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, ClinicalLabel> truth = new ConcurrentHashMap<>();
    private final java.util.function.BiConsumer<String, ClinicalLabel> onSent;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;
    private volatile Thread runner;

    /** @param kafka the device's client settings: bootstrap servers and, secured, its client certificate */
    SimulatedDevice(ScanSource source, Map<String, Object> kafka, String topic, double rate, long limit,
                    java.util.function.BiConsumer<String, ClinicalLabel> onSent) {
        this.onSent = onSent;
        this.source = source;
        this.topic = topic;
        this.rate = rate;
        this.limit = limit;
        Map<String, Object> settings = new java.util.HashMap<>(kafka);
        settings.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "simulated-device",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.SCAN_MAX_MESSAGE_BYTES));
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void run() {
        runner = Thread.currentThread();
        long intervalNanos = (long) (1e9 / rate);
        long next = System.nanoTime();
        for (long i = 0; running && (limit == 0 || i < limit); i++) {
            DeviceScan scan = source.next(i);
            if (scan.truth() != null) {
                truth.put(scan.scanId(), scan.truth());
            }
            ScanArrived arrival = new ScanArrived(scan.eventId(), DEVICE, OffsetDateTime.now(), scan.patientRef(),
                    scan.contentType(), scan.bytes(), scan.origin());
            producer.send(EventCodecs.ARRIVED.toRecord(topic, arrival), (metadata, error) -> {
                if (error != null) {
                    Console.line("device: send of %s failed: %s", scan.scanId(), error.getMessage());
                } else {
                    sent.incrementAndGet();
                    onSent.accept(scan.scanId(), scan.truth());
                }
            });
            next += intervalNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        producer.flush();
        if (running) {
            Console.line("device: all %d scans sent", limit);
        }
    }

    long sent() {
        return sent.get();
    }

    /** Ground truth of the scans sent so far (damaged scans have none). */
    Map<String, ClinicalLabel> truth() {
        return truth;
    }

    @Override
    public void close() {
        running = false;
        Thread loop = runner;
        if (loop != null) {
            try {
                loop.join(2000); // the loop's last send must not meet a closed producer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
