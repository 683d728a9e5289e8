package io.scanstream.inference.messaging;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the loop does with its producer after a failed transaction. A real producer refuses
 * {@code abortTransaction} after a timed-out commit (the loop used to call it and die); MockProducer does not model
 * that refusal, so the test checks the decision: no abort, the old producer closed, a new one initialised.
 */
class TransactionalProducerTest {

    private final List<MockProducer<String, byte[]>> made = new ArrayList<>();

    private TransactionalProducer producer() {
        TransactionalProducer producer = new TransactionalProducer(() -> {
            MockProducer<String, byte[]> p = new MockProducer<>(true, null, new StringSerializer(),
                    new ByteArraySerializer());
            made.add(p);
            return p;
        });
        producer.initTransactions();
        return producer;
    }

    @Test
    void afterACommitTimeoutTheProducerIsReplacedNotAborted() {
        TransactionalProducer producer = producer();
        MockProducer<String, byte[]> first = made.get(0);
        first.commitTransactionException = new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(true)");
        first.beginTransaction();
        KafkaException failure;
        try {
            first.commitTransaction();
            throw new AssertionError("the commit should have timed out");
        } catch (TimeoutException e) {
            failure = e;
        }

        assertThat(producer.recover(failure)).isEqualTo(TransactionalProducer.Recovery.RECREATED);

        assertThat(first.transactionAborted()).isFalse();
        assertThat(first.closed()).isTrue();
        assertThat(made).hasSize(2);
        Producer<String, byte[]> second = producer.get();
        assertThat(second).isSameAs(made.get(1));
        assertThat(made.get(1).transactionInitialized()).isTrue();
        assertThat(producer.recreated()).isEqualTo(1);
        // and the new producer works
        second.beginTransaction();
        second.commitTransaction();
        assertThat(made.get(1).transactionCommitted()).isTrue();
    }

    @Test
    void aTimeoutWrappedInAKafkaExceptionIsATimeoutToo() {
        TransactionalProducer producer = producer();
        made.get(0).beginTransaction();
        assertThat(producer.recover(new KafkaException("commit failed", new TimeoutException("EndTxn"))))
                .isEqualTo(TransactionalProducer.Recovery.RECREATED);
        assertThat(made.get(0).transactionAborted()).isFalse();
    }

    @Test
    void anOrdinaryFailureIsAbortedAndTheProducerKept() {
        TransactionalProducer producer = producer();
        made.get(0).beginTransaction();
        assertThat(producer.recover(new KafkaException("send failed"))).isEqualTo(TransactionalProducer.Recovery.ABORTED);
        assertThat(made.get(0).transactionAborted()).isTrue();
        assertThat(made).hasSize(1);
    }

    @Test
    void aProducerThatRefusesTheAbortIsReplaced() {
        TransactionalProducer producer = producer();
        made.get(0).abortTransactionException = new IllegalStateException(
                "Cannot attempt operation `abortTransaction` because the previous call to `commitTransaction` timed out");
        made.get(0).beginTransaction();
        assertThat(producer.recover(new KafkaException("send failed"))).isEqualTo(TransactionalProducer.Recovery.RECREATED);
        assertThat(made.get(0).closed()).isTrue();
        assertThat(made).hasSize(2);
    }
}
