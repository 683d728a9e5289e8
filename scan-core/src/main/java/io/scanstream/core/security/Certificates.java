package io.scanstream.core.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority of its own and the certificates it signs, made with the JDK's keytool (no other tool, no
 * network), for the local stack's secured broker and for tests: server certificates valid for localhost (e.g. the
 * broker's, CN {@value #BROKER_CN}) and client certificates for mutual TLS. PKCS#12 stores, all with one generated password; the CA's key never leaves
 * {@code ca.p12}.
 */
public final class Certificates {

    public static final String BROKER_CN = "kafka-broker";

    private final Path dir;
    private final String password;

    public Certificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    public Path dir() {
        return dir;
    }

    public String password() {
        return password;
    }

    /** The trust store every client and the broker use: the CA certificate. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path keystore(String cn) {
        return dir.resolve(cn + ".p12");
    }

    /** Makes the CA and trust store, unless they exist. */
    public void createAuthority() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12");
        if (Files.isRegularFile(ca) && Files.isRegularFile(truststore())) {
            return;
        }
        Files.deleteIfExists(ca);
        Files.deleteIfExists(truststore());
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=scanstream-local-ca", "-ext", "bc:c", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "825", "-keystore", ca.toString(), "-storetype", "PKCS12",
                "-storepass", password);
        keytool("-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-rfc",
                "-file", caCertificate().toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(), "-keystore",
                truststore().toString(), "-storetype", "PKCS12", "-storepass", password);
    }

    /**
     * A key pair and a certificate signed by the CA, with the chain, in {@code <cn>.p12}, unless it exists.
     * {@code server} adds the names a server is reached by (localhost).
     */
    public Path issue(String cn, boolean server) throws IOException, InterruptedException {
        Path keystore = keystore(cn);
        if (Files.isRegularFile(keystore)) {
            return keystore;
        }
        Path ca = dir.resolve("ca.p12");
        Path csr = dir.resolve(cn + ".csr");
        Path crt = dir.resolve(cn + ".crt");
        keytool("-genkeypair", "-alias", cn, "-dname", "CN=" + cn, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "825", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password);
        keytool("-certreq", "-alias", cn, "-keystore", keystore.toString(), "-storepass", password,
                "-file", csr.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", ca.toString(),
                "-storepass", password, "-infile", csr.toString(), "-outfile", crt.toString(), "-rfc",
                "-validity", "825", "-ext", "ku:c=digitalSignature,keyEncipherment",
                "-ext", "eku=serverAuth,clientAuth"));
        if (server) {
            sign.addAll(List.of("-ext", "SAN=dns:localhost,ip:127.0.0.1"));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(), "-keystore",
                keystore.toString(), "-storepass", password);
        keytool("-importcert", "-noprompt", "-alias", cn, "-file", crt.toString(), "-keystore", keystore.toString(),
                "-storepass", password);
        Files.deleteIfExists(csr);
        return keystore;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + new String(output));
        }
    }
}
