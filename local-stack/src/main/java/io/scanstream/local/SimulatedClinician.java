package io.scanstream.local;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanLabel;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A radiologist working through the worklist: labels a share of the scans the device sent (chosen by a hash of
 * the scan id, so the choice is reproducible), a little while after acquisition, and publishes the labels to
 * {@code scans.labels} as a clinicians' tool would.
 */
final class SimulatedClinician implements Runnable, AutoCloseable {

    private record Due(String scanId, ClinicalLabel label, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Due) other).dueNanos);
        }
    }

    private final double share;
    private final Duration reviewDelay;
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final DelayQueue<Due> worklist = new DelayQueue<>();
    private final AtomicLong labelled = new AtomicLong();
    private volatile boolean running = true;
    private volatile Thread runner;

    /** @param kafka the labelling tool's client settings: bootstrap servers and, secured, its SCRAM user */
    SimulatedClinician(Map<String, Object> kafka, String topic, double share, Duration reviewDelay) {
        this.share = share;
        this.reviewDelay = reviewDelay;
        this.topic = topic;
        Map<String, Object> settings = new java.util.HashMap<>(kafka);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "simulated-clinician");
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }

    /** Called for every scan the device sent with its ground truth; labels the configured share of them. */
    void scanSent(String scanId, ClinicalLabel truth) {
        if (truth != null && Math.floorMod(scanId.hashCode() * 0x9E3779B1, 1000) < share * 1000) {
            worklist.add(new Due(scanId, truth, System.nanoTime() + reviewDelay.toNanos()));
        }
    }

    long labelled() {
        return labelled.get();
    }

    @Override
    public void run() {
        runner = Thread.currentThread();
        while (running) {
            try {
                Due due = worklist.poll(200, TimeUnit.MILLISECONDS);
                if (due == null) {
                    continue;
                }
                producer.send(EventCodecs.LABELLED.toRecord(topic, new ScanLabel(due.scanId(), due.label(),
                        "sim-radiologist-1", OffsetDateTime.now())), (metadata, error) -> {
                    if (error == null) {
                        labelled.incrementAndGet();
                    } else {
                        Console.line("clinician: label for %s not sent: %s", due.scanId(), error.getMessage());
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
        producer.close(Duration.ofSeconds(5));
    }
}
