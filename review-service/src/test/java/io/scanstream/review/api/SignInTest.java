package io.scanstream.review.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.scanstream.review.testing.StubServicesResource;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a session every page sends the browser to the provider's authorization endpoint (OIDC code flow), with
 * this application's client id and a state; nothing is served before.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(OidcWiremockTestResource.class)
@WithTestResource(StubServicesResource.class)
class SignInTest {

    @Test
    void anUnauthenticatedBrowserIsSentToTheProvidersSignIn() {
        for (String path : new String[] {"/worklist", "/scans/any", "/models", "/scans/any/image.png"}) {
            String location = given().redirects().follow(false).get(path).then().statusCode(302)
                    .extract().header("Location");
            URI uri = URI.create(location);
            assertThat(uri.getPath()).endsWith("/protocol/openid-connect/auth");
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
}
