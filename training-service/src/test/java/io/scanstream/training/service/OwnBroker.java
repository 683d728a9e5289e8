package io.scanstream.training.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.scanstream.testing.kafka.EmbeddedKafkaBroker;
import io.scanstream.testing.security.TestTokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker of one test class's own, with the contract's topics, and a fresh Kafka Streams state directory: the
 * training set is everything on the compacted topics, so a class that counts it must not see another class's labels.
 */
public class OwnBroker implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKafkaBroker broker;

    /** The broker of the test class now running. */
    static String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public Map<String, String> start() {
        broker = EmbeddedKafkaBroker.start();
        try {
            Map<String, String> config = new HashMap<>(Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                    "quarkus.kafka-streams.bootstrap-servers", broker.bootstrapServers(),
                    "kafka-streams.state.dir", Files.createTempDirectory("training-streams").toString(),
                    "quarkus.kafka.devservices.enabled", "false",
                    "quarkus.kafka-streams.devservices.enabled", "false"));
            config.putAll(TestTokens.config()); // the application trusts the test JVM's token issuer
            config.putAll(io.scanstream.testing.security.TestModelSigning.config()); // training signs versions, inference verifies them
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        broker.close();
    }
}
