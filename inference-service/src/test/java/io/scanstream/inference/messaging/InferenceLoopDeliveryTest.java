package io.scanstream.inference.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.inference.domain.InferenceResult;
import io.scanstream.inference.domain.ScanOutcomes;
import io.scanstream.testing.kafka.EmbeddedKafkaBroker;
import io.scanstream.testing.kafka.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The loop's delivery guarantee through the real broker: every preprocessed scan gets exactly one committed
 * prediction, across a crash, a restart and a rebalance. The network is a stand-in (the guarantee is the loop's,
 * not the model's), which keeps this test fast; the service test runs the real backbone.
 */
class InferenceLoopDeliveryTest {

    private static final OffsetDateTime T = OffsetDateTime.parse("2026-11-25T12:00:00Z");
    private static EmbeddedKafkaBroker broker;
    private static KafkaTestClient kafka;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "it-preprocessed-" + run;
    private final String predictions = "it-predictions-" + run;
    private final String embeddings = "it-embeddings-" + run;
    private final String rejected = "it-rejected-" + run;
    private final AtomicInteger forwardPasses = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.shared();
        kafka = new KafkaTestClient(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void everyScanGetsExactlyOnePredictionAcrossACrashAndARestart() throws Exception {
        createTopics();
        int n = 120;
        send(0, n);
        InferenceLoop first = startLoop("tx-a-" + run, Duration.ofMillis(15));
        // Let the first instance commit part of the stream, then crash it with work in flight.
        await().atMost(Duration.ofSeconds(60)).until(() -> committedPredictions().size() >= 30);
        first.crash();
        await().atMost(Duration.ofSeconds(30)).until(() -> first.state() == InferenceLoop.State.STOPPED);

        InferenceLoop second = startLoop("tx-b-" + run, Duration.ZERO);
        List<ScanPrediction> all = awaitPredictions(n);
        second.close();

        assertExactlyOnce(all, n);
        assertThat(all).allSatisfy(p -> {
            assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.backbone()).isEqualTo("stand-in:random");
            assertThat(p.acquiredAt()).isEqualTo(T);
        });
        assertThat(committed(embeddings)).hasSize(n);
    }

    @Test
    void everyScanGetsExactlyOnePredictionWhenASecondReplicaJoinsMidStream() {
        createTopics();
        int n = 150;
        send(0, n / 2);
        startLoop("tx-c-" + run, Duration.ofMillis(10));
        await().atMost(Duration.ofSeconds(60)).until(() -> committedPredictions().size() >= 20);
        startLoop("tx-d-" + run, Duration.ofMillis(10)); // partitions are rebalanced between the two
        send(n / 2, n);
        assertExactlyOnce(awaitPredictions(n), n);
    }

    @Test
    void rejectsARecordThatIsNotAPreprocessedScanAndKeepsGoing() {
        createTopics();
        kafka.send(new org.apache.kafka.clients.producer.ProducerRecord<>(input, "garbage-" + run, new byte[] {1, 2, 3}));
        send(0, 5);
        startLoop("tx-e-" + run, Duration.ZERO);
        assertExactlyOnce(awaitPredictions(5), 5);
        List<ConsumerRecord<String, byte[]>> rejections = kafka.collect(rejected, r -> true, 1, Duration.ofSeconds(30));
        assertThat(rejections).singleElement().satisfies(r -> {
            var rejection = EventCodecs.REJECTED.fromRecord(r);
            assertThat(rejection.scanId()).isEqualTo("garbage-" + run);
            assertThat(rejection.stage()).isEqualTo("inference");
        });
    }

    @Test
    void commitsAsSoonAsEveryPolledScanHasItsResultThoughTheIntervalIsFarOff() {
        createTopics();
        send(0, 5);
        // Fewer scans than a poll and an interval no test waits for: only the idle rule can commit these.
        startLoop("tx-g-" + run, Duration.ZERO, 32, Duration.ofHours(1), true, InferenceLoop.Observer.NONE);
        assertExactlyOnce(awaitPredictions(5), 5);
    }

    @Test
    void withoutTheIdleRuleAFewScansWaitForTheCommitInterval() {
        createTopics();
        send(0, 5);
        long start = System.nanoTime();
        // The interval counts from the loop's construction, so no commit can come before it.
        startLoop("tx-h-" + run, Duration.ZERO, 32, Duration.ofSeconds(4), false, InferenceLoop.Observer.NONE);
        assertExactlyOnce(awaitPredictions(5), 5);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void pausesTheConsumerWhenTheBatcherIsFullAndResumesWithoutLosingAScan() {
        createTopics();
        int n = 96;
        send(0, n);
        List<Boolean> pauses = java.util.Collections.synchronizedList(new ArrayList<>());
        // A queue of one poll (16) and a slow model: the backlog cannot all be queued, so the loop must pause.
        startLoop("tx-f-" + run, Duration.ofMillis(40), 16, new InferenceLoop.Observer() {
            @Override
            public void paused(boolean paused) {
                pauses.add(paused);
            }
        });
        assertExactlyOnce(awaitPredictions(n), n);
        assertThat(pauses).contains(true, false);
        assertThat(pauses.get(0)).isTrue();
        // Pauses and resumes alternate: never two pauses without a resume in between.
        for (int i = 1; i < pauses.size(); i++) {
            assertThat(pauses.get(i)).isNotEqualTo(pauses.get(i - 1));
        }
    }

    private InferenceLoop startLoop(String transactionalId, Duration forwardTime) {
        return startLoop(transactionalId, forwardTime, 32, InferenceLoop.Observer.NONE);
    }

    private InferenceLoop startLoop(String transactionalId, Duration forwardTime, int queueCapacity,
                                    InferenceLoop.Observer observer) {
        return startLoop(transactionalId, forwardTime, queueCapacity, Duration.ofMillis(50), true, observer);
    }

    private InferenceLoop startLoop(String transactionalId, Duration forwardTime, int queueCapacity,
                                    Duration commitInterval, boolean commitWhenIdle, InferenceLoop.Observer observer) {
        DynamicBatcher<ScanPreprocessed, InferenceResult> batcher = new DynamicBatcher<>("batcher-" + transactionalId,
                BatchingPolicy.powersOfTwo(8, Duration.ofMillis(5), queueCapacity), (scans, padded) -> {
            forwardPasses.incrementAndGet();
            Thread.sleep(forwardTime.toMillis());
            return scans.stream().<InferenceResult>map(s -> new InferenceResult.Embedded(s,
                    new float[] {s.image().at(0, 0), 1f}, "stand-in:random")).toList();
        }, DynamicBatcher.Listener.NONE);
        Map<String, Object> clients = Map.of("bootstrap.servers", broker.bootstrapServers());
        InferenceLoop loop = new InferenceLoop(new InferenceLoop.Settings("group-" + run, transactionalId, input,
                predictions, embeddings, rejected, 16, commitInterval, commitWhenIdle, clients, clients), batcher,
                new ScanOutcomes(Clock.systemUTC()), observer);
        Thread thread = new Thread(loop, "loop-" + transactionalId);
        thread.start();
        toClose.add(batcher);
        toClose.add(() -> {
            loop.close();
            thread.join(30_000);
        });
        return loop;
    }

    private void createTopics() {
        broker.createTopics(List.of(new TopicSpec(input, 4, Map.of()), new TopicSpec(predictions, 2, Map.of()),
                new TopicSpec(embeddings, 2, Map.of()), new TopicSpec(rejected, 1, Map.of())));
    }

    private void send(int from, int to) {
        for (int i = from; i < to; i++) {
            // the model input's size: the loop rejects records of any other (scans.preprocessed is checked on read)
            byte[] pixels = new byte[224 * 224];
            pixels[0] = (byte) i;
            kafka.send(EventCodecs.PREPROCESSED.toRecord(input, new ScanPreprocessed(run + "-" + i,
                    URI.create("/devices/test"), T, null, "ab", ImageFormat.PNG, 2, 2, new GreyImage(224, 224, pixels))));
        }
    }

    private List<ScanPrediction> committedPredictions() {
        return committed(predictions).stream().map(EventCodecs.PREDICTED::fromRecord).toList();
    }

    private List<ConsumerRecord<String, byte[]>> committed(String topic) {
        return kafka.collect(topic, r -> true, Integer.MAX_VALUE, Duration.ofSeconds(2), Duration.ZERO);
    }

    private List<ScanPrediction> awaitPredictions(int n) {
        return kafka.collect(predictions, r -> true, n, Duration.ofSeconds(90), Duration.ofSeconds(2)).stream()
                .map(EventCodecs.PREDICTED::fromRecord).toList();
    }

    private void assertExactlyOnce(List<ScanPrediction> all, int n) {
        Map<String, Long> counts = all.stream().collect(Collectors.groupingBy(ScanPrediction::scanId, Collectors.counting()));
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).allMatch(c -> c == 1);
    }

    @org.junit.jupiter.api.AfterEach
    void closeAll() throws Exception {
        // Loops first (they finish and commit), then their batchers.
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }
}
