package io.scanstream.inference.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.inference.domain.InferenceResult;
import io.scanstream.inference.domain.ScanOutcome;
import io.scanstream.inference.domain.ScanOutcomes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.scanstream.service.logging.LoggedIds;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The consume → batch → forward → produce loop, exactly once: it polls {@code scans.preprocessed}, hands scans to
 * the {@link DynamicBatcher} (which batches across polls), and publishes the results of the completed prefix —
 * predictions, embeddings, rejections — together with the consumer offsets in one Kafka transaction, in poll
 * order. A crash or a rebalance re-reads what was not committed; nothing is lost or doubled.
 *
 * <p>Backpressure: when the batcher's queue cannot take another full poll, the loop pauses its partitions and
 * keeps polling (heartbeats) without receiving records, and resumes them once the batcher has drained.
 *
 * <p>Transport only: what a result means (its label, its events) is the domain's {@link ScanOutcomes}.
 *
 * <p>Owns its Kafka clients, which it uses from its own thread only (KafkaConsumer is not thread-safe).
 * Raw clients rather than a SmallRye channel: the loop needs pause/resume, ordered transactional commits of a
 * pipelined batch stream and rebalance hooks, which the channel abstraction hides.
 */
public final class InferenceLoop implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InferenceLoop.class);

    /**
     * What the loop needs to know: its group and transactional id, topics from configuration, when to commit, and
     * the base settings of its two clients (from {@code KafkaClientSettings}); the loop adds what its correctness
     * needs. Results are committed every {@code commitInterval} and, with {@code commitWhenIdle}, also as soon as
     * every polled scan has its result.
     */
    public record Settings(String groupId, String transactionalId, String inputTopic, String predictionsTopic,
                           String embeddingsTopic, String rejectedTopic, int maxPollRecords, Duration commitInterval,
                           boolean commitWhenIdle, Map<String, Object> consumerSettings,
                           Map<String, Object> producerSettings) {
    }

    /** Told what the loop does, for metrics. */
    public interface Observer {
        Observer NONE = new Observer() { };

        default void paused(boolean paused) {
        }

        /** A scan's outcome was committed. */
        default void published(ScanOutcome outcome) {
        }

        default void transactionAborted(Exception cause) {
        }

        /** After a failed transaction the producer could not abort (a timed-out commit): it was replaced. */
        default void producerRecreated(Exception cause) {
        }
    }

    public enum State { STARTING, RUNNING, STOPPED, FAILED }

    private record InFlight(TopicPartition partition, long offset, ScanPreprocessed scan,
                            CompletableFuture<InferenceResult> result, ScanOutcome unreadable) {
        boolean done() {
            return result == null || result.isDone();
        }
    }

    private final Settings settings;
    private final DynamicBatcher<ScanPreprocessed, InferenceResult> batcher;
    private final ScanOutcomes outcomes;
    private final Observer observer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final TransactionalProducer producer;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private final BooleanSupplier modelsReplayed;
    private volatile boolean running = true;
    private volatile State state = State.STARTING;
    private volatile String failure;
    private boolean paused;
    private long lastCommitNanos = System.nanoTime();

    public InferenceLoop(Settings settings, DynamicBatcher<ScanPreprocessed, InferenceResult> batcher,
                         ScanOutcomes outcomes, Observer observer) {
        this(settings, batcher, outcomes, observer, () -> true);
    }

    /**
     * @param modelsReplayed whether the model topics have been replayed to their ends: until then the loop does
     *                       not subscribe to its input (state STARTING), so no scan meets a version older than
     *                       the one in service
     */
    public InferenceLoop(Settings settings, DynamicBatcher<ScanPreprocessed, InferenceResult> batcher,
                         ScanOutcomes outcomes, Observer observer, BooleanSupplier modelsReplayed) {
        this.modelsReplayed = modelsReplayed;
        if (batcher.policy().queueCapacity() < settings.maxPollRecords()) {
            throw new IllegalArgumentException("the batcher's queue (" + batcher.policy().queueCapacity()
                    + ") must hold a whole poll (" + settings.maxPollRecords() + ")");
        }
        this.settings = settings;
        this.batcher = batcher;
        this.outcomes = outcomes;
        this.observer = observer;
        // Exactly once: only committed input, offsets committed in our transactions (never automatically), and
        // polls no larger than the batcher can take (backpressure counts on it).
        Map<String, Object> consumerSettings = new HashMap<>(settings.consumerSettings());
        consumerSettings.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
                ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-consumer",
                // Static membership, one id per replica like the transactional id: a replica that restarts (crash,
                // OOM, liveness) takes its partitions back at once instead of after the dead member's session timeout
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.transactionalId(),
                // a new group starts from the beginning: no scan published before the first start is skipped
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords()));
        this.consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new ByteArrayDeserializer());
        // A transactional id per replica: the broker fences a zombie with the same id.
        Map<String, Object> producerSettings = new HashMap<>(settings.producerSettings());
        producerSettings.putAll(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId(),
                ProducerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-producer",
                ProducerConfig.ACKS_CONFIG, "all"));
        this.producer = new TransactionalProducer(
                () -> new KafkaProducer<>(producerSettings, new StringSerializer(), new ByteArraySerializer()));
    }

    public State state() {
        return state;
    }

    /** For client metrics (lag, fetch and produce rates): read-only use from other threads is safe. */
    public KafkaConsumer<String, byte[]> consumer() {
        return consumer;
    }

    /** The producer in use now (a new one after a transaction it could not abort, see TransactionalProducer). */
    public Producer<String, byte[]> producer() {
        return producer.get();
    }

    /** Why the loop failed, when it did. */
    public String failure() {
        return failure;
    }

    /** Scans polled but not yet committed. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Waits (STARTING) until the model topics are replayed, or the loop is closed. */
    private void awaitModels() {
        boolean logged = false;
        while (running && !modelsReplayed.getAsBoolean()) {
            if (!logged) {
                LOG.infof("inference.loop.waiting reason=\"replaying the model topics to their ends\"");
                logged = true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            awaitModels();
            if (!running) {
                state = State.STOPPED;
                return;
            }
            consumer.subscribe(List.of(settings.inputTopic()), new Rebalancing());
            state = State.RUNNING;
            LOG.infof("inference.loop.started input=%s group=%s transactionalId=%s", settings.inputTopic(),
                    settings.groupId(), settings.transactionalId());
            while (running) {
                requireBatcherAlive();
                Duration pollTimeout = inFlight.isEmpty() ? Duration.ofMillis(200) : Duration.ofMillis(10);
                for (ConsumerRecord<String, byte[]> record : consumer.poll(pollTimeout)) {
                    accept(record);
                }
                commitCompleted(false);
                applyBackpressure();
            }
            awaitInFlight();
            commitCompleted(true);
            state = State.STOPPED;
        } catch (WakeupException e) {
            state = State.STOPPED;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fail("fenced by another instance with transactional id " + settings.transactionalId(), e);
        } catch (RuntimeException e) {
            fail(e.toString(), e);
        } finally {
            closeClients();
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        ScanPreprocessed scan;
        try {
            scan = EventCodecs.PREPROCESSED.fromRecord(record);
        } catch (InvalidEventException e) {
            String scanId = record.key() != null ? record.key() : "unidentified:" + partition + "@" + record.offset();
            inFlight.add(new InFlight(partition, record.offset(), null, null,
                    outcomes.unreadable(scanId, e.reason(), e.getMessage())));
            return;
        }
        ScanOutcome refused = outcomes.refusedInput(scan).orElse(null);
        if (refused != null) {
            inFlight.add(new InFlight(partition, record.offset(), scan, null, refused));
            return;
        }
        CompletableFuture<InferenceResult> result;
        while ((result = batcher.tryOffer(scan)) == null) {
            // Full although paused before every poll that could not fit: commit what is done and let it drain.
            requireBatcherAlive();
            commitCompleted(false);
            sleepBriefly();
        }
        inFlight.add(new InFlight(partition, record.offset(), scan, result, null));
    }

    /**
     * A dead batcher worker completes nothing more: the loop fails (liveness goes DOWN, the pod restarts) and what
     * was not committed is read again by the next owner, rather than waiting for ever while reporting RUNNING.
     */
    private void requireBatcherAlive() {
        Throwable death = batcher.death();
        if (death != null) {
            throw new IllegalStateException("the batcher's worker thread died: " + death, death);
        }
    }

    private void applyBackpressure() {
        boolean roomForAPoll = batcher.remainingCapacity() >= settings.maxPollRecords();
        if (!paused && !roomForAPoll) {
            consumer.pause(consumer.assignment());
            paused = true;
            LOG.infof("inference.consumer.paused queue=%d", batcher.queued());
            observer.paused(true);
        } else if (paused && roomForAPoll) {
            consumer.resume(consumer.paused());
            paused = false;
            LOG.infof("inference.consumer.resumed queue=%d", batcher.queued());
            observer.paused(false);
        }
    }

    /**
     * Publishes the completed prefix in one transaction when the commit interval has passed, when a poll's worth is
     * waiting, when every polled scan has its result (with commitWhenIdle), or when forced.
     */
    private void commitCompleted(boolean force) {
        if (inFlight.isEmpty() || !inFlight.peekFirst().done()) {
            return;
        }
        boolean due = System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos();
        // Nothing of ours is left in the batcher: waiting for the interval could only add latency. Under load the
        // batcher never drains, so commits follow the interval and a transaction still carries many scans.
        boolean idle = settings.commitWhenIdle() && inFlight.peekLast().done();
        if (!force && !due && !idle && inFlight.size() < settings.maxPollRecords()) {
            return;
        }
        List<InFlight> done = new ArrayList<>();
        while (!inFlight.isEmpty() && inFlight.peekFirst().done()) {
            done.add(inFlight.pollFirst());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<Runnable> afterCommit = new ArrayList<>(done.size());
        Producer<String, byte[]> producer = this.producer.get();
        try {
            producer.beginTransaction();
            for (InFlight item : done) {
                offsets.merge(item.partition(), new OffsetAndMetadata(item.offset() + 1),
                        (a, b) -> a.offset() >= b.offset() ? a : b);
                afterCommit.add(publish(producer, item));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            lastCommitNanos = System.nanoTime();
            afterCommit.forEach(Runnable::run);
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warnf("inference.transaction.aborted scans=%d cause=\"%s\"; re-reading from the last commit", done.size(), e.toString());
            observer.transactionAborted(e);
            if (this.producer.recover(e) == TransactionalProducer.Recovery.RECREATED) {
                observer.producerRecreated(e);
            }
            rewind(done);
        }
    }

    /** Sends one scan's events; returns what to report once they are committed. */
    private Runnable publish(Producer<String, byte[]> producer, InFlight item) {
        ScanOutcome outcome = item.unreadable() != null ? item.unreadable() : outcomes.of(resultOf(item));
        if (outcome instanceof ScanOutcome.Predicted p) {
            producer.send(EventCodecs.PREDICTED.toRecord(settings.predictionsTopic(), p.prediction()));
            producer.send(EventCodecs.EMBEDDED.toRecord(settings.embeddingsTopic(), p.embedding()));
        } else if (outcome instanceof ScanOutcome.Rejected r) {
            producer.send(EventCodecs.REJECTED.toRecord(settings.rejectedTopic(), r.rejection()));
        }
        return () -> {
            if (outcome instanceof ScanOutcome.Rejected r) {
                LOG.infof("scan.rejected scanId=%s reason=%s detail=\"%s\"", LoggedIds.scan(r.rejection().scanId()),
                        r.rejection().reason(), r.rejection().detail());
            }
            observer.published(outcome);
        };
    }

    /**
     * The batch's result; a batch the batcher failed as a whole (whatever the processor threw) is a failed result
     * for each of its scans: an INTERNAL rejection, never an exception inside the open transaction.
     */
    private InferenceResult resultOf(InFlight item) {
        try {
            return item.result().join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return new InferenceResult.Failed(item.scan(), "the batch failed: " + cause);
        }
    }

    /**
     * After an aborted transaction: drop everything in flight and go back to the committed offsets, so the
     * aborted scans (and everything after them) are read and processed again.
     */
    private void rewind(List<InFlight> aborted) {
        awaitInFlight();
        Set<TopicPartition> partitions = new HashSet<>(consumer.assignment());
        aborted.forEach(i -> partitions.add(i.partition()));
        inFlight.clear();
        partitions.retainAll(consumer.assignment());
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
    }

    private void awaitInFlight() {
        for (InFlight item : inFlight) {
            if (item.result() != null) {
                try {
                    item.result().get(5, TimeUnit.MINUTES);
                } catch (Exception e) {
                    // a failed or abandoned result: it is not committed, so it will be read again
                }
            }
        }
    }

    private void fail(String reason, Exception e) {
        failure = reason;
        state = State.FAILED;
        LOG.errorf(e, "inference.loop.failed reason=\"%s\"", reason);
    }

    private void closeClients() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("consumer close", e);
        }
        try {
            producer.close();
        } catch (RuntimeException e) {
            LOG.debug("producer close", e);
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops polling; what is in flight is finished and committed before the clients close. */
    @Override
    public void close() {
        running = false;
    }

    /**
     * Stops at once, committing nothing more, as a crash would: whatever was not committed is re-read by the
     * next owner of the partitions. For tests of the delivery guarantee.
     */
    void crash() {
        running = false;
        consumer.wakeup();
    }

    /** Commit what this replica processed before its partitions move; drop it if they were lost. */
    private final class Rebalancing implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || inFlight.isEmpty()) {
                return;
            }
            awaitInFlight();
            commitCompleted(true);
            inFlight.clear();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            awaitInFlight();
            inFlight.clear();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }
    }
}
