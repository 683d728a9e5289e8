package io.scanstream.review.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.quarkus.test.security.TestSecurity;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.review.testing.CsrfForms;
import io.scanstream.review.testing.StubServicesResource;
import io.scanstream.service.security.Roles;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * The workstation through the real broker: predictions and preprocessed scans in → the worklist shows them in the
 * right order; a correction → exactly one label event with the right fields, read back into the page; unknown
 * scans 404; a clinician cannot roll back.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(OidcWiremockTestResource.class)
@WithTestResource(StubServicesResource.class)
@TestSecurity(user = "dr-review", roles = Roles.CLINICIAN)
class ReviewRoundTripTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final OffsetDateTime T0 = OffsetDateTime.now(ZoneOffset.UTC).minusHours(1);

    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @ConfigProperty(name = "review.services.training")
    String stub;

    private int rollbacks() {
        return Integer.parseInt(given().get(stub + "/stub/rollbacks").asString().trim());
    }

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String device = "/devices/review-" + run;

    private void scan(String id, double p, double threshold, String version, int minute, long seed) {
        byte[] pixels = new byte[224 * 224];
        new Random(seed).nextBytes(pixels);
        KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(id,
                URI.create(device), T0.plusMinutes(minute), "p-" + run, "sha-" + id, ImageFormat.PNG, 512, 512,
                new GreyImage(224, 224, pixels))));
        KAFKA.client().send(EventCodecs.PREDICTED.toRecord(Topics.SCANS_PREDICTIONS, new ScanPrediction(id,
                PredictedLabel.of(p, threshold), p, threshold, version, "mobilenet_v2:stub", T0.plusMinutes(minute),
                T0.plusMinutes(minute).plusSeconds(2))));
    }

    private String worklist(String query) {
        return given().get("/worklist?device=" + device + query).then().statusCode(200).extract().asString();
    }

    private static List<String> order(String html, String... ids) {
        return java.util.Arrays.stream(ids).sorted(java.util.Comparator.comparingInt(html::indexOf)).toList();
    }

    @Test
    void theWorklistShowsPredictedScansNewestFirstOrUncertainFirst() {
        scan(run + "-a", 0.95, 0.5, "v1", 1, 1);
        scan(run + "-b", 0.52, 0.5, "v1", 2, 2);
        scan(run + "-c", 0.10, 0.5, "v2", 3, 3);
        await().atMost(TIMEOUT).until(() -> {
            String html = worklist("");
            return html.contains(run + "-a") && html.contains(run + "-b") && html.contains(run + "-c");
        });

        String newest = worklist("");
        assertThat(order(newest, run + "-a", run + "-b", run + "-c")).containsExactly(run + "-c", run + "-b", run + "-a");
        assertThat(newest).contains("3</span> scans match").contains("/scans/" + run + "-a/thumbnail.png");
        String uncertain = worklist("&order=uncertain");
        assertThat(order(uncertain, run + "-a", run + "-b", run + "-c")).containsExactly(run + "-b", run + "-c", run + "-a");
        String v2 = worklist("&version=v2");
        assertThat(v2).contains(run + "-c").doesNotContain(run + "-a\"");
        given().get("/worklist?min=2").then().statusCode(400);
    }

    @Test
    void aCorrectionPublishesExactlyOneLabelAndThePageShowsItOnceReadBack() {
        String id = run + "-label";
        scan(id, 0.9, 0.5, "v1", 4, 4);
        await().atMost(TIMEOUT).until(() -> given().get("/scans/" + id).statusCode() == 200);
        assertThat(given().get("/scans/" + id).asString()).contains("not labelled").contains("id=\"correct\"");

        CsrfForms.fromPage("/scans/" + id).redirects().follow(false).formParam("action", "correct")
                .formParam("back", "order=newest").post("/scans/" + id + "/label").then().statusCode(303);

        List<ConsumerRecord<String, byte[]>> labels = KAFKA.client().collect(Topics.SCANS_LABELS,
                r -> id.equals(r.key()), 1, TIMEOUT, Duration.ofSeconds(2));
        assertThat(labels).hasSize(1);
        ScanLabel label = EventCodecs.LABELLED.fromRecord(labels.get(0));
        assertThat(label.scanId()).isEqualTo(id);
        assertThat(label.label()).isEqualTo(ClinicalLabel.NON_COVID);
        assertThat(label.labelledBy()).isEqualTo("dr-review");
        await().atMost(TIMEOUT).until(() -> given().get("/scans/" + id).asString().contains("by dr-review"));
        assertThat(given().get("/scans/" + id).asString()).contains("<b>NON_COVID</b> by dr-review");

        String prometheus = given().get(metrics.toString()).asString();
        assertThat(prometheus).containsPattern("scanstream_review_labels_recorded_total\\{[^}]*role=\"clinician\"[^}]*\\} [1-9]");
        assertThat(prometheus).contains("scanstream_review_time_to_label_seconds_count");
    }

    @Test
    void servesTheSliceAsThePngTheModelSawAndTheSaliencyOverlay() throws Exception {
        String id = run + "-png";
        scan(id, 0.7, 0.5, "v1", 5, 5);
        String other = run + "-gone";
        scan(other, 0.7, 0.5, StubServicesResource.WITHDRAWN, 6, 6);
        await().atMost(TIMEOUT).until(() -> given().get("/scans/" + other + "/image.png").statusCode() == 200);

        byte[] png = given().get("/scans/" + id + "/image.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage slice = ImageIO.read(new ByteArrayInputStream(png));
        byte[] expected = new byte[224 * 224];
        new Random(5).nextBytes(expected);
        assertThat(slice.getWidth()).isEqualTo(224);
        assertThat(slice.getRaster().getSample(17, 3, 0)).isEqualTo(expected[3 * 224 + 17] & 0xff);
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(
                given().get("/scans/" + id + "/thumbnail.png").then().statusCode(200).extract().asByteArray()));
        assertThat(thumb.getWidth()).isEqualTo(56);

        BufferedImage saliency = ImageIO.read(new ByteArrayInputStream(
                given().get("/scans/" + id + "/saliency.png").then().statusCode(200).extract().asByteArray()));
        assertThat(saliency.getWidth()).isEqualTo(224);
        assertThat(saliency.getRGB(10, 10) >>> 24).isGreaterThan(150);   // the stub's hot corner
        assertThat(saliency.getRGB(200, 200) >>> 24).isZero();
        assertThat(given().get("/scans/" + other + "/saliency.png").then().statusCode(409).extract().asString())
                .contains("no longer served").contains("serving v2");
    }

    @Test
    void anUnknownScanIsNotFound() {
        given().get("/scans/no-such-" + run).then().statusCode(404);
        given().get("/scans/no-such-" + run + "/image.png").then().statusCode(404);
        String known = run + "-known";
        scan(known, 0.6, 0.5, "v1", 7, 7);
        await().atMost(TIMEOUT).until(() -> given().get("/scans/" + known).statusCode() == 200);
        // a token from a real page, a scan that is not there
        CsrfForms.fromPage("/scans/" + known).formParam("action", "confirm").post("/scans/no-such-" + run + "/label")
                .then().statusCode(404);
    }

    @Test
    void aFormPostWithoutTheCsrfTokenOfItsPageIsRefusedAndRecordsNothing() {
        String id = run + "-csrf";
        scan(id, 0.8, 0.5, "v1", 8, 8);
        await().atMost(TIMEOUT).until(() -> given().get("/scans/" + id).statusCode() == 200);
        String token = given().get("/scans/" + id).getCookie(CsrfForms.COOKIE);

        // another site's form: the browser would send neither the session (SameSite) nor a token it cannot read
        given().formParam("action", "confirm").post("/scans/" + id + "/label").then().statusCode(400)
                .contentType(containsString("text/html")).body(containsString("Nothing was recorded"),
                        containsString("reload the page"));
        // a cookie, but no field or a different one
        given().cookie(CsrfForms.COOKIE, token).formParam("action", "confirm").post("/scans/" + id + "/label")
                .then().statusCode(400);
        String other = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1); // differs whatever the token
        given().cookie(CsrfForms.COOKIE, token).formParam(CsrfForms.FIELD, other)
                .formParam("action", "confirm").post("/scans/" + id + "/label").then().statusCode(400);
        // the field, but no cookie
        given().formParam(CsrfForms.FIELD, token).formParam("action", "confirm").post("/scans/" + id + "/label")
                .then().statusCode(400);

        assertThat(given().get("/scans/" + id).asString()).contains("not labelled");

        // then the page's own form: of the five posts, only this one is a label
        CsrfForms.fromPage("/scans/" + id).redirects().follow(false).formParam("action", "correct")
                .post("/scans/" + id + "/label").then().statusCode(303);
        List<ConsumerRecord<String, byte[]>> labels = KAFKA.client().collect(Topics.SCANS_LABELS,
                r -> id.equals(r.key()), 1, TIMEOUT, Duration.ofSeconds(3));
        assertThat(labels).hasSize(1);
        assertThat(EventCodecs.LABELLED.fromRecord(labels.get(0)).label()).isEqualTo(ClinicalLabel.NON_COVID);
    }

    @Test
    void aClinicianSeesTheModelsButCannotRollBack() {
        int before = rollbacks();
        String page = given().get("/models").then().statusCode(200).extract().asString();
        assertThat(page).contains("v2 <b>(serving)</b>").contains("0.900 [0.800, 0.950]").doesNotContain("Roll back to this");
        // a clinician's page has no rollback form; a token from the scan page's form is as good as any
        String id = run + "-clinician";
        scan(id, 0.6, 0.5, "v1", 9, 9);
        await().atMost(TIMEOUT).until(() -> given().get("/scans/" + id).statusCode() == 200);
        CsrfForms.fromPage("/scans/" + id).formParam("version", "v1").post("/models/rollback").then().statusCode(403);
        assertThat(rollbacks()).isEqualTo(before);
    }

    @Test
    @TestSecurity(user = "op-review", roles = {Roles.OPERATOR, Roles.CLINICIAN})
    void anOperatorRollsBack() {
        assertThat(given().get("/models").asString()).contains("Roll back to this");
        String location = CsrfForms.fromPage("/models").redirects().follow(false).formParam("version", "v1")
                .post("/models/rollback").then().statusCode(303).extract().header("Location");
        assertThat(location).contains("Rolled%20back%20to%20v1%20as%20new%20version%20v3");
    }
}
