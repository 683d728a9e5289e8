package io.scanstream.ingest.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.security.TestTokens;
import io.scanstream.core.security.TokenIssuer;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/**
 * Who may call ingest: a token of the configured issuer with the device role, publishing under its own device
 * name only. Anything else is 401 (no, expired or foreign token) or 403 (wrong role, someone else's ce-source).
 * Health and metrics answer without a token on the management port, and not at all on the API port.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class HttpAuthorisationTest {

    private static final String DEVICE = "/devices/auth-test-cam";

    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementReady;
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;

    private final SyntheticScan scan = new SyntheticCtGenerator(7).scan(1);

    @Test
    void uploadsWithoutAValidTokenAreUnauthorised() throws Exception {
        upload(null, DEVICE).then().statusCode(401);
        upload("Bearer not-a-token", DEVICE).then().statusCode(401);
        TokenIssuer issuer = TestTokens.issuer();
        long now = Instant.now().getEpochSecond();
        String expired = issuer.sign(Map.of("iss", TestTokens.ISSUER, "sub", DEVICE, "upn", DEVICE,
                "groups", List.of(Roles.DEVICE), "iat", now - 3600, "exp", now - 1800));
        upload("Bearer " + expired, DEVICE).then().statusCode(401);
        String otherIssuer = issuer.sign(Map.of("iss", "https://someone.else", "sub", DEVICE, "upn", DEVICE,
                "groups", List.of(Roles.DEVICE), "iat", now, "exp", now + 600));
        upload("Bearer " + otherIssuer, DEVICE).then().statusCode(401);
        Path elsewhere = Files.createTempDirectory("foreign-issuer");
        String foreignKey = TokenIssuer.openOrCreate(elsewhere, TestTokens.ISSUER)
                .issue(DEVICE, List.of(Roles.DEVICE), Duration.ofMinutes(5));
        upload("Bearer " + foreignKey, DEVICE).then().statusCode(401);
    }

    @Test
    void onlyTheDeviceRoleMayUpload() {
        upload(TestTokens.bearer("dr-house", Roles.CLINICIAN), DEVICE).then().statusCode(403);
        upload(TestTokens.bearer("ops", Roles.OPERATOR), DEVICE).then().statusCode(403);
        upload(TestTokens.bearer(DEVICE, Roles.DEVICE), DEVICE).then().statusCode(202);
        stow(null, null).then().statusCode(401);
        stow(TestTokens.bearer("dr-house", Roles.CLINICIAN), null).then().statusCode(403);
    }

    @Test
    void aDeviceCannotPublishUnderAnotherDevicesName() {
        upload(TestTokens.bearer(DEVICE, Roles.DEVICE), "/devices/someone-else").then().statusCode(403)
                .body(containsString("not the calling device"));
        stow(TestTokens.bearer(DEVICE, Roles.DEVICE), "/devices/someone-else").then().statusCode(403);
        // A token may name its device in the device claim (a service account's subject is often an opaque id).
        String claimed = TestTokens.issuer().issue("service-account-7f3a", List.of(Roles.DEVICE), Duration.ofMinutes(5),
                Map.of("device", DEVICE));
        upload("Bearer " + claimed, DEVICE).then().statusCode(202);
        upload("Bearer " + claimed, "/devices/service-account-7f3a").then().statusCode(403);
    }

    @Test
    void healthAndMetricsAnswerWithoutATokenOnTheManagementPortOnly() {
        given().when().get(managementReady.toString()).then().statusCode(200);
        given().when().get(managementMetrics.toString()).then().statusCode(200)
                .body(containsString("jvm_"));
        given().when().get("/q/health/ready").then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(DEVICE, Roles.DEVICE)).when().get("/q/metrics")
                .then().statusCode(404);
    }

    private io.restassured.response.Response upload(String authorization, String source) {
        var request = given().contentType(scan.contentType()).header("ce-source", source).body(scan.bytes());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.when().post("/scans");
    }

    private io.restassured.response.Response stow(String authorization, String source) {
        var request = given().contentType("multipart/related; type=\"application/dicom\"; boundary=b")
                .body("--b\r\nContent-Type: application/dicom\r\n\r\nnot dicom\r\n--b--\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (source != null) {
            request.header("ce-source", source);
        }
        return request.when().post("/studies");
    }
}
