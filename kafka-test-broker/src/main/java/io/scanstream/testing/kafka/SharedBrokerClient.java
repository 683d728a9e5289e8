package io.scanstream.testing.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link KafkaTestClient} on the shared test broker for one test class, opened before its tests and closed after
 * them. Register it on a static field:
 * <pre>{@code
 * @RegisterExtension
 * static final SharedBrokerClient KAFKA = new SharedBrokerClient();
 * ... KAFKA.client().send(record);
 * }</pre>
 */
public final class SharedBrokerClient implements BeforeAllCallback, AfterAllCallback {

    private KafkaTestClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        client = KafkaTestClient.forSharedBroker();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    public KafkaTestClient client() {
        if (client == null) {
            throw new IllegalStateException("SharedBrokerClient is used outside the tests of its class: register it"
                    + " with @RegisterExtension on a static field");
        }
        return client;
    }
}
