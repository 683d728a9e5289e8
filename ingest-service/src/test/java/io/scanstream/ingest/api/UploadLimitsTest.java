package io.scanstream.ingest.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.RestAssured;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Uploads are bounded before their bodies are read: a declared body over {@code ingest.http.max-body-bytes} is 413
 * with a JSON problem, an upload beyond {@code ingest.http.max-concurrent-uploads} in progress is 429 with
 * Retry-After, on {@code POST /scans} and {@code POST /studies} alike. Tight limits of its own (a profile).
 */
@TestSecurity(user = "/devices/http-cam", roles = Roles.DEVICE)
@QuarkusTest
@TestProfile(UploadLimitsTest.TightLimits.class)
@WithTestResource(KafkaBrokerTestResource.class)
class UploadLimitsTest {

    public static class TightLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.http.max-body-bytes", "65536", "ingest.http.max-concurrent-uploads", "1",
                    "ingest.http.retry-after", "3s");
        }
    }

    @Inject
    UploadLimitsRoute route;

    private final SyntheticScan scan = new SyntheticCtGenerator(5).scan(1, 64, 64,
            io.scanstream.core.imaging.PixelType.GREY8, io.scanstream.core.imaging.ImageFormat.PNG);

    @Test
    void refusesABodyOverTheLimitWith413AndAJsonProblemOnBothUploadPaths() {
        byte[] big = new byte[70_000];
        given().contentType("image/png").header("ce-source", "/devices/http-cam").body(big)
                .when().post("/scans")
                .then().statusCode(413).contentType(containsString("application/json"))
                .body("reason", equalTo("TOO_LARGE"))
                .body("detail", containsString("70000 bytes exceeds the limit of 65536 bytes"));
        given().contentType("multipart/related; type=\"application/dicom\"; boundary=x").body(big)
                .when().post("/studies")
                .then().statusCode(413).body("reason", equalTo("TOO_LARGE"));
        // Under the limit the same path still works.
        given().contentType(scan.contentType()).header("ce-source", "/devices/http-cam").body(scan.bytes())
                .when().post("/scans")
                .then().statusCode(202);
    }

    @Test
    void refusesAnUploadBeyondTheConcurrencyBoundWith429AndRetryAfterUntilASlotIsFree() throws Exception {
        try (Socket slow = new Socket("localhost", RestAssured.port)) {
            // An upload whose body is still arriving holds the only slot.
            OutputStream out = slow.getOutputStream();
            out.write(("POST /scans HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nce-source: /devices/http-cam"
                    + "\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[10]);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> route.limits().inProgress() == 1);

            given().contentType(scan.contentType()).header("ce-source", "/devices/http-cam").body(scan.bytes())
                    .when().post("/scans")
                    .then().statusCode(429).header("Retry-After", "3").contentType(containsString("application/json"))
                    .body("reason", equalTo("TOO_MANY_UPLOADS"))
                    .body("detail", containsString("1 uploads are in progress"));
            given().contentType("multipart/related; type=\"application/dicom\"; boundary=x").body(new byte[100])
                    .when().post("/studies")
                    .then().statusCode(429).header("Retry-After", "3");
        }
        // The slow client went away: its slot is free again.
        await().atMost(Duration.ofSeconds(10)).until(() -> route.limits().inProgress() == 0);
        given().contentType(scan.contentType()).header("ce-source", "/devices/http-cam").body(scan.bytes())
                .when().post("/scans")
                .then().statusCode(202);
    }
}
