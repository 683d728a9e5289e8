package io.scanstream.review.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port: model versions, their history and the training runs behind them (training-service: {@code GET /models},
 * {@code POST /models/rollback}, {@code GET /training/runs}, its reports), and the version inference serves
 * ({@code GET /model}). Every call passes the signed-in user's access token; those services check the roles.
 */
public interface ModelCatalogue {

    /** Newest first. */
    List<ModelRecord> models(Optional<String> bearer);

    RollbackOutcome rollback(String version, Optional<String> bearer);

    /** The head version inference serves now, empty while none. */
    Optional<String> servedVersion(Optional<String> bearer);

    /** Recent runs with their gate decisions, newest first (runs without a report yet are left out). */
    List<RunSummary> runs(Optional<String> bearer);

    /** A plot of a run's report ({@code loss.png}, {@code roc.png}, ...), empty when there is none. */
    Optional<byte[]> plot(String runId, String file, Optional<String> bearer);

    record ModelRecord(String version, Instant createdAt, String backboneId, String mode, Map<String, Object> metrics,
                       String runId, boolean serving, String rollbackOf) {
    }

    sealed interface RollbackOutcome {
    }

    record RolledBack(String version, String rollbackOf) implements RollbackOutcome {
    }

    record UnknownVersion(String message) implements RollbackOutcome {
    }

    record NotRestorable(String message) implements RollbackOutcome {
    }

    record Forbidden(String message) implements RollbackOutcome {
    }

    /**
     * @param gatePublish  the champion/challenger decision: true published, false gated out, null no gate (failed run)
     * @param plots        plot name → file name under the report ({@code roc} → {@code roc.png})
     */
    record RunSummary(String runId, String mode, String outcome, String version, Instant finishedAt,
                      Boolean gatePublish, String gateReason, String gateMetric, Double challenger, Double champion,
                      String championVersion, Map<String, String> plots) {
    }
}
