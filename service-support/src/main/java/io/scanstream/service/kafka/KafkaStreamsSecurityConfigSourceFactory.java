package io.scanstream.service.kafka;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Kafka Streams takes the same security settings as every other client: the security keys of the one group
 * {@code kafka.*} ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, from application.properties, system
 * properties or environment variables such as {@code KAFKA_SASL_JAAS_CONFIG}) are mirrored to {@code kafka-streams.*},
 * which Quarkus passes to Streams and so to its consumers, producers and admin client. An operator configures
 * Kafka security once; a {@code kafka-streams.*} key set explicitly still wins (this source's ordinal is below
 * application.properties).
 *
 * <p>Names follow Quarkus' reading of {@code kafka.*} for the channels ({@code KafkaRuntimeConfigProducer}): the
 * part after {@code kafka.} or {@code KAFKA_}, lower case, {@code _} read as {@code .}.
 */
public class KafkaStreamsSecurityConfigSourceFactory implements ConfigSourceFactory {

    static final String NAME = "scanstream-kafka-streams-security";
    /** Below application.properties (250) and environment variables (300): explicit Streams settings win. */
    static final int ORDINAL = 245;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> mirrored = new TreeMap<>();
        for (Iterator<String> names = context.iterateNames(); names.hasNext(); ) {
            String name = names.next();
            securityKey(name).ifPresent(key -> {
                ConfigValue value = context.getValue(name);
                if (value != null && value.getValue() != null && !value.getValue().isEmpty()) {
                    mirrored.put("kafka-streams." + key, value.getValue());
                }
            });
        }
        return List.of(new PropertiesConfigSource(mirrored, NAME, ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** The Kafka property a configuration name of the {@code kafka.*} group sets, if it is a security setting. */
    static java.util.Optional<String> securityKey(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("kafka.") || lower.startsWith("kafka_")) || lower.startsWith("kafka_streams")
                || lower.startsWith("kafka.ui")) {
            return java.util.Optional.empty();
        }
        String key = lower.substring("kafka.".length()).replace('_', '.');
        boolean security = key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl.");
        // Environment names lose case, but the mirrored key must keep the original's where it had one.
        return security ? java.util.Optional.of(name.contains(".") ? name.substring("kafka.".length()) : key)
                : java.util.Optional.empty();
    }
}
