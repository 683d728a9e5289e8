package io.scanstream.ingest.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scanstream.core.contract.EncodedEvent;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.ingest.domain.IngestPolicy;
import io.scanstream.ingest.health.TransactionHealth;
import io.scanstream.ingest.metrics.IngestMetrics;
import io.scanstream.service.config.TopicNames;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import io.smallrye.reactive.messaging.kafka.transactions.TransactionalEmitter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lost scan the fault suite once found under a broker kill, replayed deterministically without a broker. When the
 * consumer group's generation moves while a batch's transaction is open, SmallRye's {@code KafkaTransactions} fails
 * the commit ("Partition rebalance during exactly-once processing"), aborts the transaction and still completes the
 * batch's stage normally (its commit-failure path recovers with the abort). The batch's records are then read again
 * after the rebalance; ingest, told the batch committed, had remembered its scans as accepted, judged the re-read a
 * DUPLICATE, and the scan ended with no outcome at all. The transactions here behave as SmallRye's do on that path;
 * the rest is ingest's own code. A pure unit test: the real-broker paths are in {@link DuplicatesAcrossRestartsTest}
 * and the fault suite.
 */
class BatchAcrossRebalanceTest {

    private static final String KEY = "4f1c9b7e2d8a6035e1b4c7d9f2a80e5b63c1d7f49a2e8b05c6d3f1a7e9b2c4d8";
    private static final TopicPartition ARRIVED_0 = new TopicPartition(Topics.SCANS_ARRIVED, 0);
    private static final TopicNames TOPICS = (TopicNames) Proxy.newProxyInstance(TopicNames.class.getClassLoader(),
            new Class<?>[] {TopicNames.class}, (proxy, method, args) -> "topic-" + method.getName());

    private final IngestPipeline pipeline = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 1000), KEY);
    private final ReportedTransactions transactions = new ReportedTransactions();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ScanArrivalConsumer consumer = new ScanArrivalConsumer(pipeline,
            new IngestMetrics(registry), transactions, TOPICS,
            new TransactionHealth(TransactionHealth.DEFAULT_LIMIT, Clock.systemUTC()));
    private final SyntheticScan scan = new SyntheticCtGenerator(7).scan(0);

    @Test
    void aBatchAbortedBehindAReportedSuccessIsAcceptedWhenReadAgain() {
        // the group's generation moves before the commit: aborted, reported as completed
        consumer.consume(batch(0)).toCompletableFuture().join();
        assertThat(transactions.lastTopics()).as("sent in the transaction that was then aborted")
                .containsExactlyInAnyOrder("topic-preprocessed", "topic-seen");

        // the records come back after the rebalance, from the last committed offset
        consumer.consume(batch(0)).toCompletableFuture().join();

        assertThat(transactions.lastTopics()).containsExactlyInAnyOrder("topic-preprocessed", "topic-seen");
        // what the meters can know (IngestMetrics): two reads, and two reported commits of one scan
        assertThat(count("scanstream.ingest.scans.received")).isEqualTo(2);
        assertThat(count("scanstream.ingest.scans.accepted")).isEqualTo(2);
        assertThat(registry.get("scanstream.ingest.in.flight").gauge().value()).isZero();
    }

    private double count(String counter) {
        return registry.get(counter).counter().count();
    }

    @Test
    void aCommittedBatchIsRememberedAndTheDevicesResendIsADuplicate() {
        consumer.consume(batch(0)).toCompletableFuture().join();

        // the same scan sent again by the device, later in the topic
        consumer.consume(batch(1)).toCompletableFuture().join();

        assertThat(transactions.lastTopics()).containsExactly("topic-rejected");
    }

    private KafkaRecordBatch<String, byte[]> batch(long offset) {
        EncodedEvent event = EventCodecs.ARRIVED.encode(new ScanArrived(scan.scanId(), URI.create("/devices/ct-test"),
                OffsetDateTime.parse("2026-12-01T08:00:00Z"), null, scan.contentType(), scan.bytes()));
        var record = new ConsumerRecord<>(ARRIVED_0.topic(), ARRIVED_0.partition(), offset, 0L,
                TimestampType.CREATE_TIME, -1, -1, event.key(), event.value(),
                new RecordHeaders(event.headers().toArray()), Optional.empty());
        var records = new ConsumerRecords<>(Map.of(ARRIVED_0, List.of(record)), Map.of());
        // commit and failure handlers are never reached: these transactions do not acknowledge
        return new IncomingKafkaRecordBatch<>(records, ScanArrivalConsumer.ARRIVED, 0, null, null, false, false);
    }

    /**
     * What ingest learns from SmallRye's transactions: the work runs and sends, and the stage completes with an item.
     * It reads the same for a commit and for the path that lost the scan (the group's generation had moved when the
     * commit came, the commit was refused, the transaction aborted): ingest cannot tell the two apart.
     */
    private static final class ReportedTransactions implements KafkaTransactions<byte[]> {

        private final List<String> lastTopics = new ArrayList<>();

        List<String> lastTopics() {
            return List.copyOf(lastTopics);
        }

        @Override
        public <R> Uni<R> withTransaction(Message<?> message, Function<TransactionalEmitter<byte[]>, Uni<R>> work) {
            lastTopics.clear();
            Uni<R> result = work.apply(new TransactionalEmitter<>() {
                @Override
                public <M extends Message<? extends byte[]>> void send(M sent) {
                    lastTopics.add(sent.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getTopic());
                }

                @Override
                public void send(byte[] payload) {
                    throw new UnsupportedOperationException("ingest sends messages with their topic");
                }

                @Override
                public void markForAbort() {
                    throw new UnsupportedOperationException("ingest fails the work instead");
                }

                @Override
                public boolean isMarkedForAbort() {
                    return false;
                }
            });
            return result.replaceWith(Uni.createFrom().nullItem());
        }

        @Override
        public Uni<Void> withTransactionAndAck(Message<?> message,
                                               Function<TransactionalEmitter<byte[]>, Uni<Void>> work) {
            return withTransaction(message, work);
        }

        @Override
        public <R> Uni<R> withTransaction(Function<TransactionalEmitter<byte[]>, Uni<R>> work) {
            throw new UnsupportedOperationException("ingest's transactions always carry the batch's offsets");
        }

        @Override
        public boolean isTransactionInProgress() {
            return false;
        }
    }
}
