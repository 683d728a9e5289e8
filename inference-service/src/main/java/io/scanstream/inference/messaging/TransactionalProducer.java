package io.scanstream.inference.messaging;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The loop's transactional producer, and what to do with it after a transaction failed. Normally the transaction is
 * aborted and the producer goes on. But after a {@code commitTransaction} (or {@code sendOffsetsToTransaction}) that
 * timed out, the producer refuses {@code abortTransaction} ("the previous call to commitTransaction timed out and
 * must be retried"), and after other fatal errors it refuses everything: calling abort there used to throw out of
 * the loop. In those cases the producer is closed and a new one with the same transactional id is created and
 * initialised: {@code initTransactions} fences the old producer's epoch and waits until the coordinator has finished
 * the old transaction (committed if it had got that far, aborted otherwise), so the committed offsets the loop then
 * rewinds to are final. If the new producer cannot be initialised either (the broker is away beyond
 * {@code max.block.ms}), that exception ends the loop and liveness reports it (the pod restarts).
 *
 * <p>Used from the loop's thread only.
 */
final class TransactionalProducer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransactionalProducer.class);

    /** What {@link #recover} did. */
    enum Recovery { ABORTED, RECREATED }

    private final Supplier<Producer<String, byte[]>> factory;
    private Producer<String, byte[]> producer;
    private int recreated;

    TransactionalProducer(Supplier<Producer<String, byte[]>> factory) {
        this.factory = factory;
        this.producer = factory.get();
    }

    Producer<String, byte[]> get() {
        return producer;
    }

    /** Producers replaced after a failed transaction so far. */
    int recreated() {
        return recreated;
    }

    void initTransactions() {
        producer.initTransactions();
    }

    /**
     * After {@code failure} ended a transaction (not a fencing: that ends the loop): abort it, or, where the producer
     * cannot abort, replace the producer. The transaction's records are never committed by this producer.
     */
    Recovery recover(KafkaException failure) {
        if (!abortable(failure)) {
            return recreate(failure);
        }
        try {
            producer.abortTransaction();
            return Recovery.ABORTED;
        } catch (KafkaException | IllegalStateException abortFailure) {
            return recreate(abortFailure);
        }
    }

    /** A timed-out commit must be retried or abandoned with the producer: it cannot be aborted. */
    private static boolean abortable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException) {
                return false;
            }
        }
        return true;
    }

    private Recovery recreate(Exception cause) {
        LOG.warnf("inference.producer.recreated cause=\"%s\"; closing the producer and initialising a new one with"
                + " the same transactional id", cause.toString());
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debug("producer close", e);
        }
        producer = factory.get();
        recreated++;
        producer.initTransactions();
        return Recovery.RECREATED;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
