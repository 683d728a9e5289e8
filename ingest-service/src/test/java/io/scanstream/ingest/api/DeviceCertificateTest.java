package io.scanstream.ingest.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.scanstream.core.security.Certificates;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Devices may authenticate with a client certificate instead of a token (mutual TLS; docs/security.md, "Devices"):
 * the certificate's CN maps to the device role ({@code quarkus.http.auth.certificate-role-properties}) and names the
 * device, {@code /devices/<CN>}, under which alone it may publish. Certificates made by keytool for this test.
 */
@QuarkusTest
@TestProfile(DeviceCertificateTest.MutualTls.class)
@WithTestResource(KafkaBrokerTestResource.class)
class DeviceCertificateTest {

    static final String PASSWORD = "device-certificate-test";
    /** Per JVM, not per class loader: the profile (which makes the certificates) and the test may differ in it. */
    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"),
            "scanstream-device-tls-" + ProcessHandle.current().pid());

    public static class MutualTls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Certificates tls = new Certificates(DIR, PASSWORD);
                tls.createAuthority();
                tls.issue("localhost", true);
                tls.issue("scanner-7", false);
                tls.issue("coffee-machine", false);
                Path roles = DIR.resolve("device-roles.properties");
                Files.writeString(roles, "scanner-7=device\n");
                return Map.of(
                        "quarkus.tls.key-store.p12.path", tls.keystore("localhost").toString(),
                        "quarkus.tls.key-store.p12.password", PASSWORD,
                        "quarkus.tls.trust-store.p12.path", tls.truststore().toString(),
                        "quarkus.tls.trust-store.p12.password", PASSWORD,
                        "quarkus.http.ssl.client-auth", "request",
                        "quarkus.http.test-ssl-port", "0",
                        "quarkus.http.auth.certificate-role-properties", roles.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @TestHTTPResource(value = "/scans", tls = true)
    URL scans;

    private final SyntheticScan scan = new SyntheticCtGenerator(11).scan(2);

    @Test
    void aDeviceWithACertificateUploadsUnderItsCommonName() throws Exception {
        assertThat(upload("scanner-7", "/devices/scanner-7").statusCode()).isEqualTo(202);
    }

    @Test
    void aCertificateNamesOneDeviceOnly() throws Exception {
        HttpResponse<String> response = upload("scanner-7", "/devices/scanner-8");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("not the calling device");
    }

    @Test
    void aCertificateWithoutTheDeviceRoleOrNoCertificateAtAllIsRefused() throws Exception {
        assertThat(upload("coffee-machine", "/devices/coffee-machine").statusCode()).isEqualTo(403);
        assertThat(upload(null, "/devices/scanner-7").statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> upload(String certificate, String source) throws Exception {
        return client(certificate).send(HttpRequest.newBuilder(URI.create(scans.toString()))
                .header("Content-Type", scan.contentType()).header("ce-source", source)
                .POST(HttpRequest.BodyPublishers.ofByteArray(scan.bytes())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient client(String certificate) throws Exception {
        Certificates tls = new Certificates(DIR, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(tls.truststore()));
        SSLContext context = SSLContext.getInstance("TLS");
        if (certificate == null) {
            context.init(null, trust.getTrustManagers(), null);
        } else {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(tls.keystore(certificate)), PASSWORD.toCharArray());
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        }
        return HttpClient.newBuilder().sslContext(context).build();
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }
}
