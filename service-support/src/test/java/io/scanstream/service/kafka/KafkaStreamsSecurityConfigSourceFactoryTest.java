package io.scanstream.service.kafka;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka Streams takes the security settings of the kafka.* group, from files and from environment names alike. */
class KafkaStreamsSecurityConfigSourceFactoryTest {

    @Test
    void mirrorsSecurityKeysOfTheKafkaGroupToKafkaStreams() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of(
                        "kafka.security.protocol", "SASL_SSL",
                        "kafka.sasl.mechanism", "SCRAM-SHA-512",
                        "kafka.ssl.truststore.location", "/etc/ca.p12",
                        "kafka.bootstrap.servers", "broker:9093",
                        "kafka.linger.ms", "5"), "application", 250))
                // As environment variables arrive: upper case, underscores.
                .withSources(new PropertiesConfigSource(Map.of(
                        "KAFKA_SASL_JAAS_CONFIG", "ScramLoginModule required username=\"training-service\" password=\"x\";"),
                        "env", 300))
                .withSources(new KafkaStreamsSecurityConfigSourceFactory())
                .build();
        assertThat(config.getValue("kafka-streams.security.protocol", String.class)).isEqualTo("SASL_SSL");
        assertThat(config.getValue("kafka-streams.sasl.mechanism", String.class)).isEqualTo("SCRAM-SHA-512");
        assertThat(config.getValue("kafka-streams.ssl.truststore.location", String.class)).isEqualTo("/etc/ca.p12");
        assertThat(config.getValue("kafka-streams.sasl.jaas.config", String.class)).contains("training-service");
        // Only security settings: Streams keeps its own bootstrap servers and tuning.
        assertThat(config.getOptionalValue("kafka-streams.bootstrap.servers", String.class)).isEmpty();
        assertThat(config.getOptionalValue("kafka-streams.linger.ms", String.class)).isEmpty();
    }

    @Test
    void anExplicitKafkaStreamsSettingWins() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("kafka.security.protocol", "SASL_SSL",
                        "kafka-streams.security.protocol", "SSL"), "application", 250))
                .withSources(new KafkaStreamsSecurityConfigSourceFactory())
                .build();
        assertThat(config.getValue("kafka-streams.security.protocol", String.class)).isEqualTo("SSL");
    }

    @Test
    void readsNoOtherNamespaces() {
        assertThat(KafkaStreamsSecurityConfigSourceFactory.securityKey("kafka-streams.ssl.keystore.location")).isEmpty();
        assertThat(KafkaStreamsSecurityConfigSourceFactory.securityKey("KAFKA_STREAMS_SSL_KEYSTORE_LOCATION")).isEmpty();
        assertThat(KafkaStreamsSecurityConfigSourceFactory.securityKey("mp.messaging.incoming.x.sasl.mechanism")).isEmpty();
        assertThat(KafkaStreamsSecurityConfigSourceFactory.securityKey("KAFKA_SSL_KEYSTORE_TYPE")).contains("ssl.keystore.type");
    }
}
