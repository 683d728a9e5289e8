package io.scanstream.service.kafka;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The three layers of a raw client's settings: the shared kafka.* namespace, the client's own keys, the required. */
class KafkaClientSettingsTest {

    private final SmallRyeConfig config = new SmallRyeConfigBuilder()
            .withDefaultValue("scanstream.kafka.clients.inference-scans.max.partition.fetch.bytes", "2048")
            .withDefaultValue("scanstream.kafka.clients.inference-scans.isolation.level", "read_uncommitted")
            .withDefaultValue("scanstream.kafka.clients.other.linger.ms", "7")
            .build();
    // What Quarkus' default-kafka-broker map holds: kafka.* with the prefix cut, a group id, kafka-streams leftovers.
    private final Map<String, Object> kafkaNamespace = Map.of("bootstrap.servers", "broker:9093",
            "security.protocol", "SASL_SSL", "group.id", "inference-service", "-streams.state.dir", "/tmp/x");

    @Test
    void sharedSettingsThenTheClientsOwnThenWhatCorrectnessRequires() {
        KafkaClientSettings settings = new KafkaClientSettings(kafkaNamespace, config);

        Map<String, Object> consumer = settings.forClient("inference-scans", Map.of("isolation.level", "read_committed"));

        assertThat(consumer).containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("client.id", "inference-scans")
                .containsEntry("max.partition.fetch.bytes", "2048")
                .containsEntry("isolation.level", "read_committed")
                .doesNotContainKeys("group.id", "-streams.state.dir", "linger.ms");
    }
}
