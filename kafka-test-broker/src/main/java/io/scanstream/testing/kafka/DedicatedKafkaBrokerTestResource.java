package io.scanstream.testing.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.scanstream.testing.security.TestTokens;

import java.util.Map;

/**
 * A broker of the test's own, for tests that take the broker away (outage, readiness). Other tests keep using
 * the shared broker. Reach it with {@link #broker()} while the application runs.
 */
public class DedicatedKafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile EmbeddedKafkaBroker broker;

    public static EmbeddedKafkaBroker broker() {
        return broker;
    }

    @Override
    public Map<String, String> start() {
        broker = EmbeddedKafkaBroker.start();
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false"));
        config.putAll(TestTokens.config());
        config.putAll(io.scanstream.testing.security.TestModelSigning.config()); // training signs versions, inference verifies them
        return config;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
