package io.scanstream.local;

import io.scanstream.core.security.Certificates;

import io.scanstream.core.contract.KafkaAccess;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How the local stack's clients reach its broker: plaintext on localhost by default, or, with {@code --secure},
 * SASL_SSL with SCRAM-SHA-512 (one user per {@link KafkaAccess} principal, passwords generated) and a second
 * listener with mutual TLS (client certificates of the local CA; the simulated device uses one). Secrets live in
 * {@code <work-dir>/secrets} (owner-only), made anew with the broker's data unless {@code --keep-data}.
 */
public final class KafkaSecurity {

    /** The broker's own super user (inter-broker, topic and ACL creation). */
    public static final String ADMIN = "admin";

    private final boolean enabled;
    private final String bootstrapServers;
    private final String mtlsBootstrapServers;
    private final Certificates certificates;
    private final Map<String, String> passwords;

    private KafkaSecurity(boolean enabled, String bootstrapServers, String mtlsBootstrapServers,
                          Certificates certificates, Map<String, String> passwords) {
        this.enabled = enabled;
        this.bootstrapServers = bootstrapServers;
        this.mtlsBootstrapServers = mtlsBootstrapServers;
        this.certificates = certificates;
        this.passwords = passwords;
    }

    public static KafkaSecurity plaintext(LocalStackOptions options) {
        return new KafkaSecurity(false, options.bootstrapServers(), null, null, Map.of());
    }

    /** The secrets of {@code --secure}: read from the work dir when kept, else generated. */
    public static KafkaSecurity secured(LocalStackOptions options) throws IOException, InterruptedException {
        Path secrets = options.workDir().resolve("secrets");
        Path file = secrets.resolve("kafka-users.properties");
        boolean kept = options.keepData() && Files.isRegularFile(file);
        if (!kept) {
            Directories.deleteRecursively(secrets); // new users, passwords, CA and certificates with the new broker
        }
        Files.createDirectories(secrets);
        restrict(secrets, "rwx------");
        Properties stored = new Properties();
        if (kept) {
            try (Reader in = Files.newBufferedReader(file)) {
                stored.load(in);
            }
        }
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String user : users()) {
            passwords.put(user, stored.getProperty(user, randomSecret()));
        }
        String storePassword = stored.getProperty("tls.store-password", randomSecret());
        Properties out = new Properties();
        passwords.forEach(out::setProperty);
        out.setProperty("tls.store-password", storePassword);
        try (Writer w = Files.newBufferedWriter(file)) {
            out.store(w, "SCRAM passwords of the local broker's users (KafkaAccess principals) and the TLS stores");
        }
        restrict(file, "rw-------");
        Certificates certificates = new Certificates(secrets.resolve("tls"), storePassword);
        certificates.createAuthority();
        certificates.issue(Certificates.BROKER_CN, true);
        certificates.issue(KafkaAccess.DEVICE, false);
        return new KafkaSecurity(true, options.bootstrapServers(), "localhost:" + options.kafkaTlsPort(),
                certificates, passwords);
    }

    static List<String> users() {
        List<String> users = new java.util.ArrayList<>();
        users.add(ADMIN);
        KafkaAccess.principals().forEach(p -> users.add(p.user()));
        return users;
    }

    public boolean enabled() {
        return enabled;
    }

    public Certificates certificates() {
        return certificates;
    }

    public Map<String, String> passwords() {
        return passwords;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client settings of {@code user}: SCRAM over TLS when secured, plain bootstrap otherwise. */
    public Map<String, Object> client(String user) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", bootstrapServers);
        if (enabled) {
            settings.put("security.protocol", "SASL_SSL");
            settings.put("sasl.mechanism", "SCRAM-SHA-512");
            settings.put("sasl.jaas.config", jaas(user, password(user)));
            settings.putAll(trust());
        }
        return settings;
    }

    /** Client settings with a client certificate (mutual TLS listener) when secured, plain bootstrap otherwise. */
    public Map<String, Object> certificateClient(String cn) {
        Map<String, Object> settings = new LinkedHashMap<>();
        if (!enabled) {
            settings.put("bootstrap.servers", bootstrapServers);
            return settings;
        }
        settings.put("bootstrap.servers", mtlsBootstrapServers);
        settings.put("security.protocol", "SSL");
        settings.put("ssl.keystore.location", certificates.keystore(cn).toString());
        settings.put("ssl.keystore.password", certificates.password());
        settings.put("ssl.keystore.type", "PKCS12");
        settings.putAll(trust());
        return settings;
    }

    /**
     * What a service needs in its environment (never on its command line, where {@code ps} shows it): the
     * {@code kafka.*} group as environment variables, read by its channels, own clients and Kafka Streams alike.
     */
    public Map<String, String> serviceEnvironment(String user) {
        Map<String, String> env = new LinkedHashMap<>();
        client(user).forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                env.put("KAFKA_" + k.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), String.valueOf(v));
            }
        });
        return env;
    }

    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka user " + user);
        }
        return password;
    }

    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private Map<String, Object> trust() {
        return Map.of("ssl.truststore.location", certificates.truststore().toString(),
                "ssl.truststore.password", certificates.password(),
                "ssl.truststore.type", "PKCS12");
    }

    static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void restrict(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX: the work dir's own permissions apply
        }
    }
}
