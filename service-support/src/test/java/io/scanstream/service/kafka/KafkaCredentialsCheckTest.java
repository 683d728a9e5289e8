package io.scanstream.service.kafka;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaCredentialsCheckTest {

    @Test
    void theMessageNamesTheUserAndTheSettingsToCheckButNeverThePassword() {
        String message = KafkaCredentialsCheck.describe(Map.of("bootstrap.servers", "broker:9093",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"ingest-service\" password=\"s3cr3t-value\";"),
                new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials"));
        assertThat(message).contains("broker:9093", "SASL_SSL", "SCRAM-SHA-512 user \"ingest-service\"",
                "invalid credentials", "KAFKA_SASL_JAAS_CONFIG").doesNotContain("s3cr3t-value");
    }
}
