package io.scanstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The local stack's offline sign-in: generated users, form login and a token endpoint issuing MP-JWT tokens. */
class LocalSignInTest {

    @TempDir
    Path work;

    @Test
    void signsInTheGeneratedUsersAndIssuesTokensWithTheirRoles() throws Exception {
        LocalSignIn signIn = LocalSignIn.open(work);
        String[] operator = Files.readAllLines(work.resolve("auth/initial-passwords.txt")).stream()
                .filter(l -> l.startsWith("operator ")).findFirst().orElseThrow().split(" ");
        assertThat(Files.readString(work.resolve("auth/users.properties"))).doesNotContain(operator[1])
                .contains("pbkdf2-sha256:");
        assertThat(signIn.authenticate("operator", operator[1])).contains(List.of("operator", "clinician"));
        assertThat(signIn.authenticate("operator", "wrong")).isEmpty();
        assertThat(signIn.authenticate("nobody", operator[1])).isEmpty();

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        signIn.start(port);
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> token = http.send(form(port, "/token", "username=operator&password=" + operator[1]),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            String jwt = Json.MAPPER.readTree(token.body()).path("access_token").asText();
            JsonNode claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
            assertThat(claims.path("iss").asText()).isEqualTo(LocalSignIn.ISSUER);
            assertThat(claims.path("sub").asText()).isEqualTo("operator");
            assertThat(claims.path("groups").toString()).contains("operator", "clinician");
            assertThat(http.send(form(port, "/token", "username=operator&password=nope"),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> page = http.send(form(port, "/login", "username=operator&password=" + operator[1]),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Signed in as <b>operator</b>", "<textarea");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/keys")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"kty\":\"RSA\"");
        } finally {
            signIn.close();
        }
        // A second start keeps the users and the key pair.
        LocalSignIn again = LocalSignIn.open(work);
        assertThat(again.authenticate("operator", operator[1])).isPresent();
        assertThat(again.issuer().publicKey()).isEqualTo(signIn.issuer().publicKey());
    }

    @Test
    void makesTheModelSigningPairOnceAndGivesTrainingThePrivateAndInferenceThePublicKey() throws Exception {
        LocalSignIn signIn = LocalSignIn.open(work);
        var keys = signIn.modelSigningKeys();
        assertThat(keys.privateKeyFile()).startsWith(work.resolve("signing"));
        assertThat(java.nio.file.Files.getPosixFilePermissions(keys.privateKeyFile()))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(signIn.trainingProperties()).containsEntry("training.signing.private-key-file",
                keys.privateKeyFile().toString()).doesNotContainKey("inference.signing.trusted-keys");
        assertThat(signIn.inferenceProperties()).containsEntry("inference.signing.trusted-keys",
                keys.publicKeyFile().toString()).doesNotContainKey("training.signing.private-key-file");

        byte[] value = "a version".getBytes(StandardCharsets.UTF_8);
        var signature = signIn.modelSigner().sign(value);
        var trusted = io.scanstream.core.signing.TrustedModelKeys.load(List.of(keys.publicKeyFile()));
        assertThat(trusted.verify(signature.keyId(), signature.signatureBase64(), value).verified()).isTrue();
        // a second start keeps the pair: versions signed before still verify
        assertThat(LocalSignIn.open(work).modelSigner().keyId()).isEqualTo(signature.keyId());
    }

    private static HttpRequest form(int port, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }
}
