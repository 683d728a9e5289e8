package io.scanstream.ingest.health;

import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A fenced producer, or one whose commit outlasted max.block.ms, fails every later transaction; liveness must say so
 * after the configured run of failures instead of staying UP while ingest aborts the same batch for ever.
 */
class TransactionHealthTest {

    private final TransactionHealth health = new TransactionHealth(3,
            Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void aRunOfFailedTransactionsMakesTheProducerStuck() {
        health.committed();
        assertThat(health.stuck()).isFalse();
        health.failed(new ProducerFencedException("fenced"));
        health.failed(new IllegalStateException("TransactionalId ingest-0: Invalid transition attempted from state"
                + " FATAL_ERROR to state IN_TRANSACTION"));
        assertThat(health.stuck()).isFalse();
        assertThat(health.failed(new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn"))).isEqualTo(3);
        assertThat(health.stuck()).isTrue();
        assertThat(health.lastFailure()).contains("EndTxn");
        assertThat(health.lastCommit()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void aCommittedTransactionEndsTheRun() {
        health.failed(new TimeoutException("one"));
        health.failed(new TimeoutException("two"));
        health.committed();
        health.failed(new TimeoutException("three"));
        assertThat(health.stuck()).isFalse();
        assertThat(health.consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void theLimitIsAtLeastOne() {
        assertThatThrownBy(() -> new TransactionHealth(0, Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class);
    }
}
