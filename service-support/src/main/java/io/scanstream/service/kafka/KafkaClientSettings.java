package io.scanstream.service.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place the settings of a service's own Kafka clients (those outside SmallRye channels and Kafka Streams:
 * the inference loop, the model publisher, topic snapshots, the readiness check) come from, in three layers:
 * <ol>
 *   <li>the {@code kafka.*} namespace, exactly what SmallRye's channels take as their defaults (Quarkus'
 *   {@code default-kafka-broker} map): bootstrap servers, and any security settings an operator adds there reach
 *   every client alike;</li>
 *   <li>{@code scanstream.kafka.clients.<client>.<kafka property>}, a client's own tuning, with Kafka's property
 *   names as the channels' {@code mp.messaging.*.<kafka property>} keys have them;</li>
 *   <li>what the client's correctness depends on, given in code by the client and applied last, so configuration
 *   cannot switch it off (e.g. read_committed, no auto-commit, a transactional id per replica).</li>
 * </ol>
 */
@ApplicationScoped
public class KafkaClientSettings {

    /** Per-client settings live under {@code scanstream.kafka.clients.<client>.}. */
    public static final String CLIENTS_PREFIX = "scanstream.kafka.clients.";

    private final Map<String, Object> common;
    private final Config config;

    public KafkaClientSettings(@Identifier("default-kafka-broker") Map<String, Object> kafkaDefaults, Config config) {
        this.common = common(kafkaDefaults);
        this.config = config;
    }

    /**
     * @param client   the client's name in configuration, e.g. {@code inference-scans}; also its client.id
     * @param required settings the client's correctness depends on; they win over configuration
     */
    public Map<String, Object> forClient(String client, Map<String, Object> required) {
        Map<String, Object> settings = new HashMap<>(common);
        settings.put("client.id", client);
        settings.putAll(configured(client));
        settings.putAll(required);
        return settings;
    }

    /** The configured layers of a client, without the required ones (for the start-up log and tests). */
    public Map<String, Object> configured(String client) {
        String prefix = CLIENTS_PREFIX + client + ".";
        Map<String, Object> own = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(prefix)) {
                config.getOptionalValue(name, String.class).ifPresent(v -> own.put(name.substring(prefix.length()), v));
            }
        }
        return own;
    }

    /**
     * Quarkus' map also holds a group id (the application name, for channels that set none) and the remainders of
     * {@code kafka-streams.*} keys (they start with "kafka" too): neither belongs to a raw client.
     */
    static Map<String, Object> common(Map<String, Object> kafkaDefaults) {
        Map<String, Object> common = new HashMap<>();
        kafkaDefaults.forEach((key, value) -> {
            if (!key.equals("group.id") && !key.startsWith("-") && !key.startsWith("streams.")) {
                common.put(key, value);
            }
        });
        return common;
    }
}
