package io.scanstream.ingest.api;

import java.net.URL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scanstream.testing.kafka.DedicatedKafkaBrokerTestResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * When the broker goes away the service stays alive but stops being ready, so Kubernetes routes no uploads to
 * it. Uses a broker of its own, which it shuts down.
 */
@QuarkusTest
@WithTestResource(DedicatedKafkaBrokerTestResource.class)
class ReadinessFollowsTheBrokerTest {
    /** Health and metrics are served on the management interface (its own port). */
    @TestHTTPResource(value = "/health/live", management = true)
    URL managementHealthLive;
    @TestHTTPResource(value = "/health/ready", management = true)
    URL managementHealthReady;


    @Test
    void readinessGoesDownWithTheBrokerWhileLivenessStaysUp() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().when().get(managementHealthReady.toString()).then().statusCode(200));

        DedicatedKafkaBrokerTestResource.broker().close();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().when().get(managementHealthReady.toString()).then().statusCode(503).body(containsString("DOWN")));
        given().when().get(managementHealthLive.toString()).then().statusCode(200);
    }
}
