package io.scanstream.ingest.messaging;

import io.scanstream.service.config.TopicNames;
import io.scanstream.ingest.domain.IncomingScan;
import io.scanstream.ingest.domain.IngestOutcome;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.ingest.health.TransactionHealth;
import io.scanstream.ingest.metrics.IngestMetrics;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import io.scanstream.service.logging.LoggedIds;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reads {@code scans.arrived} in batches and publishes one outcome per record, exactly once: the preprocessed
 * scans, the rejections and the consumer offsets of a batch are committed in one Kafka transaction, so a crash
 * never yields a lost or a doubled outcome. Each accepted scan is also remembered on the seen topic in that
 * transaction ({@link SeenScans}), so duplicates are recognised after a restart or a rebalance.
 */
@ApplicationScoped
public class ScanArrivalConsumer {

    /** Incoming channel: bound to {@code scans.arrived} in application.properties. */
    public static final String ARRIVED = "scans-arrived";
    /** Transactional outgoing channel: bound to {@code scans.preprocessed}; rejections go to the rejected topic. */
    public static final String OUTCOMES = "scans-outcomes";

    private static final Logger LOG = Logger.getLogger(ScanArrivalConsumer.class);

    private final IngestPipeline pipeline;
    private final IngestMetrics metrics;
    private final KafkaTransactions<byte[]> transactions;
    private final OutcomeRecords outcomeRecords;
    private final TransactionHealth health;

    public ScanArrivalConsumer(IngestPipeline pipeline, IngestMetrics metrics,
                               @Channel(OUTCOMES) KafkaTransactions<byte[]> transactions, TopicNames topics,
                               TransactionHealth health) {
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.transactions = transactions;
        this.outcomeRecords = new OutcomeRecords(topics.preprocessed(), topics.rejected(), topics.seen());
        this.health = health;
    }

    @Incoming(ARRIVED)
    @Blocking
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<KafkaRecord<String, byte[]>> records = batch.getRecords();
        List<IncomingScan> scans = records.stream().map(ScanArrivalConsumer::toIncoming).toList();
        metrics.received(scans.size());
        List<IngestOutcome> outcomes;
        Throwable processingFailure = null;
        try {
            // one outcome per scan, whatever it throws (IngestPipeline catches per scan, Errors included)
            outcomes = pipeline.process(scans);
        } catch (Throwable e) {
            outcomes = List.of();
            processingFailure = e;
        }
        List<IngestOutcome> published = outcomes;
        Throwable failure = processingFailure;
        // A batch without outcomes never passes silently: with failure-strategy=ignore a nack from this method
        // would be dropped and the next batch's transaction would commit offsets past it. Failing the transaction
        // instead aborts it, and SmallRye puts the consumer back to the last committed offsets: it is read again.
        return transactions.withTransactionAndAck(batch, tx -> {
                    if (failure != null) {
                        return Uni.createFrom().failure(failure);
                    }
                    for (int i = 0; i < published.size(); i++) {
                        // outcomes are in record order: the i-th came from records.get(i)
                        outcomeRecords.of(published.get(i), records.get(i).getPartition())
                                .forEach(record -> tx.send(toMessage(record)));
                    }
                    return Uni.createFrom().voidItem();
                })
                .invoke(() -> {
                    health.committed();
                    pipeline.committed(published);
                    metrics.published(published);
                    published.forEach(ScanArrivalConsumer::log);
                })
                .onTermination().invoke(() -> metrics.settled(scans.size()))
                .onFailure().invoke(e -> {
                    int failures = health.failed(e);
                    LOG.warnf("batch of %d scans not committed, will be re-read (%d consecutive failed transactions%s):"
                            + " %s", scans.size(), failures, health.stuck() ? "; liveness DOWN" : "", e.toString());
                })
                .subscribeAsCompletionStage();
    }

    /** Sent as it is: topic, partition, key, headers and value all come from {@link OutcomeRecords}. */
    private static Message<byte[]> toMessage(ProducerRecord<String, byte[]> record) {
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withTopic(record.topic()).withKey(record.key())
                .withHeaders(record.headers());
        if (record.partition() != null) {
            metadata.withPartition(record.partition());
        }
        return Message.of(record.value()).addMetadata(metadata.build());
    }

    private static IncomingScan toIncoming(KafkaRecord<String, byte[]> record) {
        String offset = record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> "@" + m.getOffset()).orElse(IncomingScan.UNKNOWN_OFFSET);
        return new IncomingScan(record.getKey(), record.getHeaders(), record.getPayload(),
                record.getTopic() + "-" + record.getPartition() + offset);
    }

    private static void log(IngestOutcome outcome) {
        // Structured, one line per scan; never the patient reference or pixel data.
        if (outcome instanceof IngestOutcome.Accepted a) {
            LOG.infof("scan.accepted scanId=%s device=%s format=%s pixelType=%s size=%dx%d bytes=%d", LoggedIds.scan(a.scanId()),
                    a.scan().device(), a.scan().sourceFormat(), a.sourcePixelType(), a.scan().sourceWidth(),
                    a.scan().sourceHeight(), a.payloadBytes());
            if (a.differingSubject() != null) {
                // Both sides pseudonymised: the raw PatientID and ce_subject never reach a log.
                LOG.warnf("scan.subject-mismatch scanId=%s patient=%s ceSubject=%s (PatientID wins)", LoggedIds.scan(a.scanId()),
                        a.scan().patientPseudonym(), a.differingSubject());
            }
        } else if (outcome instanceof IngestOutcome.Rejected r) {
            LOG.infof("scan.rejected scanId=%s source=%s reason=%s detail=\"%s\"", LoggedIds.scan(r.scanId()),
                    r.rejection().source(), r.rejection().reason(), r.rejection().detail());
        }
    }
}
