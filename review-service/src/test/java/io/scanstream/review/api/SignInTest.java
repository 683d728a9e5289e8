package io.scanstream.review.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.scanstream.review.testing.CsrfForms;
import io.scanstream.review.testing.StubServicesResource;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.CookieManager;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browser sign-in with the OIDC authorization code flow against Quarkus' OIDC test server (WireMock, offline):
 * without a session every page sends the browser to the provider; after signing in there the provider sends it back
 * with a code, the workstation exchanges it for tokens and opens a session whose roles come from the tokens' groups.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(OidcWiremockTestResource.class)
@WithTestResource(StubServicesResource.class)
class SignInTest {

    @TestHTTPResource("/worklist")
    URL worklist;

    @ConfigProperty(name = "review.services.training")
    String stub;

    @Test
    void anUnauthenticatedBrowserIsSentToTheProvidersSignIn() {
        for (String path : new String[] {"/worklist", "/scans/any", "/models", "/scans/any/image.png"}) {
            String location = given().redirects().follow(false).get(path).then().statusCode(302)
                    .extract().header("Location");
            URI uri = URI.create(location);
            assertThat(uri.getPath()).isEqualTo("/auth/realms/quarkus");
            assertThat(uri.getQuery()).contains("response_type=code").contains("client_id=quarkus-web-app")
                    .contains("state=").contains("scope=openid");
        }
    }

    @Test
    void aFormPostWithoutASessionIsNotTakenAsALabel() {
        int status = given().redirects().follow(false).formParam("action", "confirm").post("/scans/any/label")
                .then().extract().statusCode();
        assertThat(status).isIn(302, 401);
    }

    @Test
    void signsInWithTheCodeFlowAndTakesTheRolesFromTheTokensGroups() throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> toProvider = get(browser, worklist.toURI());
        assertThat(toProvider.statusCode()).isEqualTo(302);
        URI authorize = URI.create(toProvider.headers().firstValue("Location").orElseThrow());
        Map<String, String> request = query(authorize.getRawQuery());

        HttpResponse<String> loginPage = get(browser, authorize);
        assertThat(loginPage.body()).contains("name=\"password\"");
        // The provider's form submits here; it answers with the redirect back to the workstation.
        URI login = URI.create(authorize.getScheme() + "://" + authorize.getAuthority() + "/login?username=alice"
                + "&password=alice&state=" + enc(request.get("state")) + "&redirect_uri=" + enc(request.get("redirect_uri")));
        HttpResponse<String> back = get(browser, login);
        assertThat(back.statusCode()).isEqualTo(302);
        URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(callback.getQuery()).contains("code=");

        HttpResponse<String> session = get(browser, callback);
        assertThat(session.statusCode()).isEqualTo(302); // the code exchanged, the session set, back to the page
        URI page = worklist.toURI().resolve(session.headers().firstValue("Location").orElseThrow());
        assertThat(page.getPath()).isEqualTo("/worklist");
        HttpResponse<String> signedIn = get(browser, page);
        assertThat(signedIn.statusCode()).isEqualTo(200);
        assertThat(signedIn.body()).contains("Signed in as <b id=\"user\">alice</b>").contains("operator");
        HttpResponse<String> models = get(browser, worklist.toURI().resolve("/models"));
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains("Roll back to this");
        // Signed in, a post still needs the form's CSRF token (the cookie alone, as a forged form would send it
        // where SameSite does not hold, is refused); the page's own form goes through.
        int rollbacks = rollbacks(browser);
        URI rollback = worklist.toURI().resolve("/models/rollback");
        assertThat(post(browser, rollback, "version=v1").statusCode()).isEqualTo(400);
        assertThat(rollbacks(browser)).isEqualTo(rollbacks);
        Matcher token = Pattern.compile("name=\"" + CsrfForms.FIELD + "\" value=\"([^\"]+)\"").matcher(models.body());
        assertThat(token.find()).isTrue();
        HttpResponse<String> rolledBack = post(browser, rollback, CsrfForms.FIELD + "=" + enc(token.group(1))
                + "&version=v1");
        assertThat(rolledBack.statusCode()).isEqualTo(303);
        assertThat(rollbacks(browser)).isEqualTo(rollbacks + 1);
        // The services are called with the person's access token.
        assertThat(get(browser, URI.create(stub + "/stub/authorization")).body()).startsWith("Bearer ey");
    }

    private static HttpResponse<String> post(HttpClient client, URI uri, String form) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int rollbacks(HttpClient client) throws Exception {
        return Integer.parseInt(get(client, URI.create(stub + "/stub/rollbacks")).body().strip());
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
