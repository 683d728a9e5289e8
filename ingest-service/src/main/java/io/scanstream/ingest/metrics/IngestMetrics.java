package io.scanstream.ingest.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.ingest.domain.IngestOutcome;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingest's meters. Prometheus names: {@code scanstream_ingest_scans_received_total},
 * {@code scanstream_ingest_scans_accepted_total}, {@code scanstream_ingest_scans_rejected_total{reason}},
 * {@code scanstream_ingest_preprocess_seconds}, {@code scanstream_ingest_payload_bytes},
 * {@code scanstream_ingest_in_flight}, {@code scanstream_ingest_dicom_subject_mismatch_total} (DICOM scans whose
 * {@code ce_subject} disagreed with their PatientID).
 *
 * <p>{@code received} counts every read, a batch read again after an aborted transaction included; the outcome
 * counters count a batch once its transaction is reported committed. That report can be wrong: when the consumer
 * group rebalances during a batch, SmallRye aborts the transaction and still completes the batch normally (see
 * {@code ScanDeduplicator}), so that batch's outcomes are counted once for the aborted attempt and again when it is
 * read again. The topics hold one outcome per scan; the counters can exceed them by such batches.
 */
@ApplicationScoped
public class IngestMetrics {

    private final Counter received;
    private final Counter accepted;
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);
    private final Timer preprocessing;
    private final DistributionSummary payloadBytes;
    private final AtomicInteger inFlight;
    private final Counter subjectMismatch;

    public IngestMetrics(MeterRegistry registry) {
        received = Counter.builder("scanstream.ingest.scans.received")
                .description("Scan records read from scans.arrived").register(registry);
        accepted = Counter.builder("scanstream.ingest.scans.accepted")
                .description("Scans published to scans.preprocessed").register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, Counter.builder("scanstream.ingest.scans.rejected").tag("reason", reason.name())
                    .description("Scans published to scans.rejected, by reason").register(registry));
        }
        preprocessing = Timer.builder("scanstream.ingest.preprocess")
                .description("Time to validate, decode and preprocess one scan")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        payloadBytes = DistributionSummary.builder("scanstream.ingest.payload").baseUnit("bytes")
                .description("Bytes of each scan payload received").register(registry);
        inFlight = registry.gauge("scanstream.ingest.in.flight", new AtomicInteger());
        subjectMismatch = Counter.builder("scanstream.ingest.dicom.subject.mismatch")
                .description("DICOM scans whose ce_subject named another patient than their PatientID").register(registry);
    }

    public void received(int count) {
        received.increment(count);
        inFlight.addAndGet(count);
    }

    public void processed(long nanos) {
        preprocessing.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Outcomes are counted once published; in-flight drops whether they were published or will be retried. */
    public void published(Iterable<IngestOutcome> outcomes) {
        for (IngestOutcome outcome : outcomes) {
            payloadBytes.record(outcome.payloadBytes());
            if (outcome instanceof IngestOutcome.Rejected r) {
                rejected.get(r.rejection().reason()).increment();
            } else {
                accepted.increment();
                if (((IngestOutcome.Accepted) outcome).differingSubject() != null) {
                    subjectMismatch.increment();
                }
            }
        }
    }

    public void settled(int count) {
        inFlight.addAndGet(-count);
    }
}
