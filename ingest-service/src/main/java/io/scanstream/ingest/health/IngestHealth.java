package io.scanstream.ingest.health;

import io.scanstream.ingest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.time.Clock;

/** Liveness: DOWN while the transactional producer is stuck ({@link TransactionHealth}). */
@ApplicationScoped
public class IngestHealth {

    @Produces
    @Singleton
    TransactionHealth transactionHealth(IngestConfig config) {
        return new TransactionHealth(config.liveness().failedTransactions(), Clock.systemUTC());
    }

    @Produces
    @Liveness
    HealthCheck transactions(TransactionHealth health) {
        return () -> {
            var response = HealthCheckResponse.named("ingest transactions").status(!health.stuck())
                    .withData("consecutiveFailures", health.consecutiveFailures())
                    .withData("limit", health.limit());
            if (health.lastCommit() != null) {
                response.withData("lastCommit", health.lastCommit().toString());
            }
            if (health.consecutiveFailures() > 0 && health.lastFailure() != null) {
                response.withData("lastFailure", health.lastFailure());
            }
            return response.build();
        };
    }
}
