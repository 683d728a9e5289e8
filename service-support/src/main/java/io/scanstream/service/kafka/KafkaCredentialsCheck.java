package io.scanstream.service.kafka;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fails the start of a service whose Kafka credentials the broker refuses, with a message that says so and which
 * settings to check, before any channel, loop or Streams thread retries in the background with a stack trace.
 * Runs first at start-up with the settings every client of the service uses ({@link KafkaClientSettings}: the
 * {@code kafka.*} group). A broker that merely does not answer is not a reason to fail here: readiness reports it
 * and the clients reconnect.
 */
@ApplicationScoped
public class KafkaCredentialsCheck {

    private static final Logger LOG = Logger.getLogger(KafkaCredentialsCheck.class);
    static final String CLIENT = "credentials-check";
    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private final KafkaClientSettings clients;
    private final Duration timeout;
    private final boolean enabled;

    public KafkaCredentialsCheck(KafkaClientSettings clients,
                                 @ConfigProperty(name = "scanstream.kafka.credentials-check.timeout", defaultValue = "10s") Duration timeout,
                                 @ConfigProperty(name = "scanstream.kafka.credentials-check.enabled", defaultValue = "true") boolean enabled) {
        this.clients = clients;
        this.timeout = timeout;
        this.enabled = enabled;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (enabled) {
            verify(clients.forClient(CLIENT, Map.of(
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())), timeout);
        }
    }

    /**
     * Connects with {@code settings} and throws {@link KafkaCredentialsRefused} when the broker refuses them
     * (SASL or TLS authentication); returns quietly when it accepts them or cannot be reached in time.
     */
    public static void verify(Map<String, Object> settings, Duration timeout) {
        try (Admin admin = Admin.create(settings)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException refused) {
                throw new KafkaCredentialsRefused(describe(settings, refused));
            }
            LOG.warnf("kafka.credentials-check.inconclusive cause=\"%s\" (readiness reports the broker)", e.getCause());
        } catch (TimeoutException e) {
            LOG.warnf("kafka.credentials-check.inconclusive cause=\"no answer within %s\" (readiness reports the broker)",
                    timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (AuthenticationException refused) {
            throw new KafkaCredentialsRefused(describe(settings, refused));
        }
    }

    static String describe(Map<String, Object> settings, AuthenticationException refused) {
        String protocol = String.valueOf(settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"));
        String mechanism = String.valueOf(settings.getOrDefault(SaslConfigs.SASL_MECHANISM, "GSSAPI"));
        String user = Optional.ofNullable(settings.get(SaslConfigs.SASL_JAAS_CONFIG)).map(String::valueOf)
                .map(JAAS_USER::matcher).filter(Matcher::find).map(m -> m.group(1)).orElse("?");
        String who = protocol.startsWith("SASL") ? "SASL " + mechanism + " user \"" + user + "\"" : "TLS client certificate";
        return "Kafka at " + settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) + " refused this service's"
                + " credentials (" + protocol + ", " + who + "): " + refused.getMessage()
                + ". Check kafka.sasl.jaas.config / KAFKA_SASL_JAAS_CONFIG (user and password), kafka.sasl.mechanism,"
                + " or the kafka.ssl.keystore.* of a TLS client, and that the user exists on the broker"
                + " (docs/security.md, \"Kafka\").";
    }

    /** The broker refused the credentials: the service must not start. */
    public static final class KafkaCredentialsRefused extends IllegalStateException {
        KafkaCredentialsRefused(String message) {
            super(message);
        }
    }
}
