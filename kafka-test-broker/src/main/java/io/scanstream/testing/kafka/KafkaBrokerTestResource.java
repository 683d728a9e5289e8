package io.scanstream.testing.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import io.scanstream.testing.security.TestTokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource: points the application at the JVM's real in-process KRaft broker (see
 * {@link EmbeddedKafkaBroker#shared()}), with the contract's topics created, Dev Services off, and a fresh Kafka
 * Streams state directory for every application start.
 *
 * <p>Use with {@code @QuarkusTestResource(KafkaBrokerTestResource.class)} or
 * {@code @WithTestResource(KafkaBrokerTestResource.class)}; test code reaches the broker through
 * {@link #broker()}.
 */
public class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    private Path streamsStateDir;

    public static EmbeddedKafkaBroker broker() {
        return EmbeddedKafkaBroker.shared();
    }

    @Override
    public Map<String, String> start() {
        String bootstrap = broker().bootstrapServers();
        try {
            streamsStateDir = Files.createTempDirectory("scanstream-streams-state");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka-streams.bootstrap-servers", bootstrap,
                "kafka-streams.state.dir", streamsStateDir.toString(),
                "quarkus.kafka.devservices.enabled", "false",
                "quarkus.kafka-streams.devservices.enabled", "false"));
        // The application trusts the test JVM's token issuer (TestTokens signs the tests' bearer tokens).
        config.putAll(TestTokens.config());
        config.putAll(io.scanstream.testing.security.TestModelSigning.config()); // training signs versions, inference verifies them
        return config;
    }

    @Override
    public void stop() {
        // The broker lives for the whole JVM (other test classes reuse it); the state dir belongs to this start.
        if (streamsStateDir != null) {
            try (Stream<Path> paths = Files.walk(streamsStateDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp dir is harmless
            }
        }
    }
}
