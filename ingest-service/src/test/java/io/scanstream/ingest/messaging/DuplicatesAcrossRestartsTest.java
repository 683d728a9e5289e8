package io.scanstream.ingest.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.ingest.domain.IncomingScan;
import io.scanstream.ingest.domain.IngestOutcome;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.ingest.domain.IngestPolicy;
import io.scanstream.testing.kafka.EmbeddedKafkaBroker;
import io.scanstream.testing.kafka.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Duplicates are recognised across a restart of ingest, through the real broker: each "ingest process" here is a
 * new {@link IngestPipeline} (empty memory), a new consumer in the group and a new transactional producer, with
 * ingest's own pieces for what matters: {@link SeenScans#read} on assignment (as {@code SeenScansLoader} does) and
 * {@link OutcomeRecords} for what each outcome's transaction holds (as {@code ScanArrivalConsumer} sends it). Topics
 * of its own, so the Quarkus ingest of other test classes on the shared broker does not take its records.
 */
class DuplicatesAcrossRestartsTest {

    private static final String KEY = "4f1c9b7e2d8a6035e1b4c7d9f2a80e5b63c1d7f49a2e8b05c6d3f1a7e9b2c4d8";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String ARRIVED = "dup-" + RUN + ".arrived";
    private static final String PREPROCESSED = "dup-" + RUN + ".preprocessed";
    private static final String REJECTED = "dup-" + RUN + ".rejected";
    private static final String SEEN = "dup-" + RUN + ".seen";
    private static final String GROUP = "ingest-dup-" + RUN;

    private static EmbeddedKafkaBroker broker;
    private static KafkaTestClient client;
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(17);

    @BeforeAll
    static void topics() {
        broker = EmbeddedKafkaBroker.shared();
        broker.createTopics(List.of(rename(Topics.ARRIVED, ARRIVED), rename(Topics.PREPROCESSED, PREPROCESSED),
                rename(Topics.REJECTED, REJECTED), rename(Topics.SEEN, SEEN)));
        client = new KafkaTestClient(broker.bootstrapServers());
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void aScanResentAfterARestartIsADuplicateAndAReusedIdLeavesTheOriginalUntouched() {
        SyntheticScan scan = generator.scan(1);
        SyntheticScan other = generator.scan(2);
        String id = RUN + "-scan";

        client.send(arrival(id, scan));
        List<IngestOutcome> first = ingestProcess(1);
        assertThat(first).singleElement().isInstanceOf(IngestOutcome.Accepted.class);

        // Restarted: nothing in memory, a new consumer and producer. The device sends the scan again, and then
        // another scan under the same id.
        client.send(arrival(id, scan));
        client.send(arrival(id, other));
        List<IngestOutcome> second = ingestProcess(2);
        assertThat(second).as("outcomes after the restart").allSatisfy(o -> assertThat(o)
                .as("a second delivery of an accepted scan id").isInstanceOf(IngestOutcome.Rejected.class));
        assertThat(second).extracting(o -> ((IngestOutcome.Rejected) o).rejection().reason())
                .containsExactly(RejectionReason.DUPLICATE, RejectionReason.ID_REUSED);

        List<ScanPreprocessed> preprocessed = client.collect(PREPROCESSED, r -> id.equals(r.key()), 1, TIMEOUT,
                Duration.ofSeconds(2)).stream().map(EventCodecs.PREPROCESSED::fromRecord).toList();
        assertThat(preprocessed).as("exactly one preprocessed record, of the first content").singleElement()
                .satisfies(p -> assertThat(p.contentSha256()).isEqualTo(Sha256.hex(scan.bytes())));
        List<ScanRejected> rejected = client.collect(REJECTED, r -> id.equals(r.key()), 2, TIMEOUT,
                Duration.ofSeconds(2)).stream().map(EventCodecs.REJECTED::fromRecord).toList();
        assertThat(rejected).extracting(ScanRejected::reason)
                .containsExactly(RejectionReason.DUPLICATE, RejectionReason.ID_REUSED);
        assertThat(rejected.get(1).detail()).contains("different content", "send this scan under an id of its own");
        List<ConsumerRecord<String, byte[]>> seen = client.collect(SEEN, r -> id.equals(r.key()), 1, TIMEOUT,
                Duration.ofSeconds(2));
        assertThat(seen).as("remembered once, with the first content").singleElement()
                .satisfies(r -> assertThat(SeenScans.contentSha256(r.value())).contains(Sha256.hex(scan.bytes())));
    }

    @Test
    void aRejectedScanIsNotRememberedAndMaySendAgainFixedAfterARestart() {
        String id = RUN + "-fixed";
        client.send(EventCodecs.ARRIVED.toRecord(ARRIVED, new ScanArrived(id, URI.create("/devices/ct-test"),
                OffsetDateTime.parse("2026-11-25T09:00:00Z"), null, "image/png", new byte[] {1, 2, 3})));
        assertThat(ingestProcess(1)).singleElement().isInstanceOf(IngestOutcome.Rejected.class);
        client.send(arrival(id, generator.scan(3)));
        assertThat(ingestProcess(1)).singleElement().isInstanceOf(IngestOutcome.Accepted.class);
    }

    /**
     * One run of ingest from start to stop: reads what the group has not committed until {@code expected} records
     * have an outcome, committing each poll's outcomes and offsets in one transaction, then closes everything.
     */
    private List<IngestOutcome> ingestProcess(int expected) {
        IngestPipeline pipeline = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 1000), KEY);
        OutcomeRecords outcomeRecords = new OutcomeRecords(PREPROCESSED, REJECTED, SEEN);
        List<IngestOutcome> outcomes = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ingest-dup-" + UUID.randomUUID()),
                     new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of(ARRIVED), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    SeenScans.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), SEEN,
                            partitions.stream().map(TopicPartition::partition).toList(), TIMEOUT, pipeline::recall);
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }
            });
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (outcomes.size() < expected && System.nanoTime() < deadline) {
                ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(200));
                if (polled.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
                polled.forEach(records::add);
                List<IngestOutcome> batch = pipeline.process(records.stream().map(r -> new IncomingScan(r.key(),
                        r.headers(), r.value(), r.topic() + "-" + r.partition() + "@" + r.offset())).toList());
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                producer.beginTransaction();
                for (int i = 0; i < batch.size(); i++) {
                    ConsumerRecord<String, byte[]> record = records.get(i);
                    outcomeRecords.of(batch.get(i), record.partition()).forEach(producer::send);
                    offsets.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                pipeline.committed(batch);
                outcomes.addAll(batch);
            }
        }
        assertThat(outcomes).as("outcomes of this ingest run").hasSize(expected);
        return outcomes;
    }

    private static org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> arrival(String id, SyntheticScan scan) {
        return EventCodecs.ARRIVED.toRecord(ARRIVED, new ScanArrived(id, URI.create("/devices/ct-test"),
                OffsetDateTime.parse("2026-11-25T09:00:00Z"), "MRN-1", scan.contentType(), scan.bytes()));
    }

    private static TopicSpec rename(TopicSpec spec, String name) {
        return new TopicSpec(name, spec.partitions(), spec.configs());
    }
}
