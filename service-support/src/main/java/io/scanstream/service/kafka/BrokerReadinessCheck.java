package io.scanstream.service.kafka;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.Map;

/**
 * Readiness: the broker answers within a short timeout. Quarkus' own Kafka check waits for the admin client's
 * default minute, longer than any probe; this one answers DOWN within {@code scanstream.health.broker-timeout}.
 */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "Kafka broker reachable";
    /** The admin client's name in configuration ({@code scanstream.kafka.clients.readiness-check.*}). */
    static final String CLIENT = "readiness-check";

    private final Admin admin;
    private final int timeoutMs;

    public BrokerReadinessCheck(KafkaClientSettings clients,
                                @ConfigProperty(name = "scanstream.health.broker-timeout", defaultValue = "3s") Duration timeout) {
        this.timeoutMs = (int) timeout.toMillis();
        // The timeouts are the check's contract with the probes: whatever else is configured, answer in time.
        this.admin = Admin.create(clients.forClient(CLIENT, Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs)));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().completionStage(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                        .nodes().toCompletionStage())
                .map(nodes -> HealthCheckResponse.named(NAME).up().withData("nodes", nodes.size()).build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(NAME).down()
                        .withData("reason", String.valueOf(e.getMessage())).build());
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
