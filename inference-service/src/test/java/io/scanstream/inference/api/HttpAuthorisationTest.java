package io.scanstream.inference.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.security.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** {@code GET /model}: operators and clinicians with a token of the configured issuer; health and metrics open on the management port. */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class HttpAuthorisationTest {

    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementReady;
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;

    @Test
    void modelInformationNeedsATokenOfAnOperatorOrAClinician() {
        given().when().get("/model").then().statusCode(401);
        given().header("Authorization", "Bearer garbage").when().get("/model").then().statusCode(401);
        given().header("Authorization", TestTokens.bearer("/devices/cam", Roles.DEVICE)).when().get("/model")
                .then().statusCode(403);
        given().header("Authorization", TestTokens.bearer("dr-house", Roles.CLINICIAN)).when().get("/model")
                .then().statusCode(200).body(containsString("backbone"));
        given().header("Authorization", TestTokens.bearer("ops", Roles.OPERATOR)).when().get("/model")
                .then().statusCode(200);
    }

    @Test
    void healthAndMetricsAnswerWithoutATokenOnTheManagementPortOnly() {
        given().when().get(managementReady.toString()).then().statusCode(200);
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("jvm_"));
        given().when().get("/q/metrics").then().statusCode(401);
    }
}
