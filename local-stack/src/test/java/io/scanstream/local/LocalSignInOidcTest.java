package io.scanstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The local sign-in as an OpenID Connect provider for the review workstation (authorization code flow). */
class LocalSignInOidcTest {

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void signsAPersonInWithTheCodeFlowAndIssuesIdAndAccessTokens() throws Exception {
        LocalSignIn signIn = LocalSignIn.open(work);
        signIn.start(0);
        try {
            String base = signIn.baseUrl();
            String secret = signIn.reviewProperties().get("quarkus.oidc.credentials.secret");
            assertThat(signIn.reviewProperties()).containsEntry("quarkus.oidc.auth-server-url", base)
                    .containsEntry("quarkus.oidc.client-id", LocalSignIn.REVIEW_CLIENT);
            assertThat(Files.readString(work.resolve("auth/clients.properties"))).contains(LocalSignIn.REVIEW_CLIENT);

            JsonNode discovery = Json.MAPPER.readTree(get(base + "/.well-known/openid-configuration").body());
            assertThat(discovery.path("issuer").asText()).isEqualTo(LocalSignIn.ISSUER);
            assertThat(discovery.path("authorization_endpoint").asText()).isEqualTo(base + "/authorize");
            assertThat(discovery.path("token_endpoint").asText()).isEqualTo(base + "/token");
            assertThat(discovery.path("jwks_uri").asText()).isEqualTo(base + "/keys");

            String redirect = "http://localhost:8084/worklist";
            String request = "response_type=code&client_id=" + LocalSignIn.REVIEW_CLIENT + "&redirect_uri="
                    + enc(redirect) + "&state=st-1&nonce=n-1&scope=openid";
            HttpResponse<String> form = get(base + "/authorize?" + request);
            assertThat(form.statusCode()).isEqualTo(200);
            assertThat(form.body()).contains("name=password", "value=\"st-1\"");

            String password = password("clinician");
            assertThat(post(base + "/authorize", request + "&username=clinician&password=wrong", null).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> signedIn = post(base + "/authorize", request + "&username=clinician&password="
                    + enc(password), null);
            assertThat(signedIn.statusCode()).isEqualTo(302);
            URI location = URI.create(signedIn.headers().firstValue("Location").orElseThrow());
            assertThat(location.getPath()).isEqualTo("/worklist");
            assertThat(location.getQuery()).contains("state=st-1");
            String code = location.getQuery().replaceAll(".*code=([^&]+).*", "$1");

            String exchange = "grant_type=authorization_code&code=" + code + "&redirect_uri=" + enc(redirect);
            assertThat(post(base + "/token", exchange, basic(LocalSignIn.REVIEW_CLIENT, "not-the-secret")).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> tokens = post(base + "/token", exchange, basic(LocalSignIn.REVIEW_CLIENT, secret));
            assertThat(tokens.statusCode()).isEqualTo(200);
            JsonNode body = Json.MAPPER.readTree(tokens.body());
            JsonNode id = claims(body.path("id_token").asText());
            assertThat(id.path("iss").asText()).isEqualTo(LocalSignIn.ISSUER);
            assertThat(id.path("sub").asText()).isEqualTo("clinician");
            assertThat(id.path("aud").asText()).isEqualTo(LocalSignIn.REVIEW_CLIENT);
            assertThat(id.path("nonce").asText()).isEqualTo("n-1");
            assertThat(id.path("groups").toString()).contains("clinician").doesNotContain("operator");
            JsonNode access = claims(body.path("access_token").asText());
            assertThat(access.path("upn").asText()).isEqualTo("clinician");
            assertThat(access.path("groups").toString()).contains("clinician");

            // one time only
            assertThat(post(base + "/token", exchange, basic(LocalSignIn.REVIEW_CLIENT, secret)).body())
                    .contains("invalid_grant");
        } finally {
            signIn.close();
        }
    }

    @Test
    void neverRedirectsToAnUnknownClientOrOffThisMachine() throws Exception {
        LocalSignIn signIn = LocalSignIn.open(work);
        signIn.start(0);
        try {
            String base = signIn.baseUrl();
            HttpResponse<String> offMachine = get(base + "/authorize?response_type=code&client_id="
                    + LocalSignIn.REVIEW_CLIENT + "&redirect_uri=" + enc("https://evil.example/cb"));
            assertThat(offMachine.statusCode()).isEqualTo(400);
            assertThat(offMachine.body()).contains("redirect_uri must be");
            assertThat(offMachine.headers().firstValue("Location")).isEmpty();
            assertThat(get(base + "/authorize?response_type=code&client_id=other&redirect_uri="
                    + enc("http://localhost/cb")).body()).contains("unknown client_id");
            assertThat(get(base + "/authorize?response_type=token&client_id=" + LocalSignIn.REVIEW_CLIENT
                    + "&redirect_uri=" + enc("http://localhost/cb")).body()).contains("response_type must be");
        } finally {
            signIn.close();
        }
    }

    @Test
    void aCodeExpiresAndOnlyItsClientAndRedirectUriMayExchangeIt() {
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        Clock[] now = {Clock.fixed(start, ZoneOffset.UTC)};
        OidcCodeFlow flow = new OidcCodeFlow(Map.of("a", "sa", "b", "sb"), new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0].instant();
            }
        });
        String late = flow.issueCode("u", List.of("clinician"), "a", "http://localhost/cb", null);
        now[0] = Clock.fixed(start.plus(OidcCodeFlow.CODE_LIFETIME).plus(Duration.ofSeconds(1)), ZoneOffset.UTC);
        assertThat(flow.exchange("a", "sa", late, "http://localhost/cb")).isEmpty();

        String code = flow.issueCode("u", List.of("clinician"), "a", "http://localhost/cb", null);
        assertThat(flow.exchange("b", "sb", code, "http://localhost/cb")).isEmpty(); // and it is spent
        assertThat(flow.exchange("a", "sa", code, "http://localhost/cb")).isEmpty();
        String other = flow.issueCode("u", List.of("clinician"), "a", "http://localhost/cb", null);
        assertThat(flow.exchange("a", "sa", other, "http://localhost/elsewhere")).isEmpty();
        String good = flow.issueCode("u", List.of("clinician"), "a", "http://localhost/cb", "n");
        assertThat(flow.exchange("a", "sa", good, "http://localhost/cb")).hasValueSatisfying(g -> {
            assertThat(g.user()).isEqualTo("u");
            assertThat(g.nonce()).isEqualTo("n");
        });
    }

    private String password(String user) throws Exception {
        return Files.readAllLines(work.resolve("auth/initial-passwords.txt")).stream()
                .filter(l -> l.startsWith(user + " ")).findFirst().orElseThrow().split(" ")[1];
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String uri, String form, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode claims(String jwt) throws Exception {
        return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }
}
