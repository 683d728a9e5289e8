package io.scanstream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.synthetic.SyntheticScan;
import io.scanstream.local.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ScanStream end to end, as it runs in production: a broker started from Apache Kafka's jars, the three services
 * as their runnable jars (separate processes), a device and a clinician played by this test. Every scan ends as
 * exactly one prediction or one rejection; labels lead to a training run, a new model version and predictions
 * that carry it; every metric the dashboard and the alert rules use is exposed. Crashes and bad models:
 * {@link FaultSuiteIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private static SystemStack stack;
    private static Outcomes outcomes;

    @BeforeAll
    static void startTheSystem() throws Exception {
        stack = SystemStack.start("system-it", 20261125, Map.of("inference.batching.max-batch-size", "8"),
                SystemStack.SMALL_TRAINING);
        outcomes = stack.outcomes();
    }

    @AfterAll
    static void stopTheSystem() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyScanEndsAsExactlyOnePredictionOrOneRejection() throws Exception {
        List<String> good = stack.sendGoodScans(48);
        Map<String, RejectionReason> bad = new LinkedHashMap<>();
        SyntheticScan sample = stack.generator().scan(0);
        bad.put(stack.send("bad-empty", sample.contentType(), new byte[0]), RejectionReason.CORRUPT_IMAGE);
        bad.put(stack.send("bad-truncated", sample.contentType(), Arrays.copyOf(sample.bytes(), sample.bytes().length / 3)),
                RejectionReason.CORRUPT_IMAGE);
        byte[] noise = new byte[2048];
        new java.util.Random(1).nextBytes(noise);
        noise[0] = 0x42;
        bad.put(stack.send("bad-noise", "image/png", noise), RejectionReason.UNSUPPORTED_FORMAT);
        bad.put(stack.send("bad-dicom-type", "application/dicom", sample.bytes()), RejectionReason.UNSUPPORTED_FORMAT);
        String duplicate = good.get(0);
        stack.resend(duplicate); // the same scan again

        List<String> all = new ArrayList<>(good);
        all.addAll(bad.keySet());
        outcomes.awaitAll(all, TIMEOUT);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(all);
        assertThat(outcomes.predictionsOf(good)).hasSize(good.size()).allSatisfy(p -> {
            assertThat(p.label()).isEqualTo(PredictedLabel.UNDETERMINED);
            assertThat(p.backbone()).isEqualTo("mobilenet_v2:random");
        });
        bad.forEach((id, reason) -> assertThat(outcomes.rejection(id).reason()).as(id).isEqualTo(reason));
        // The re-delivered duplicate is rejected once, under its id, next to its one prediction.
        assertThat(outcomes.rejectionsFor(duplicate)).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DUPLICATE));
    }

    @Test
    @Order(2)
    void labelsLeadToATrainedVersionThatLaterPredictionsCarry() throws Exception {
        // The clinician labels 30 of the scans (more than the trigger's 24).
        stack.label(stack.sentScans().stream().sorted().limit(30).toList());

        String publishedVersion = outcomes.awaitModelVersion(TIMEOUT).metadata().version();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + stack.options().inferencePort() + "/model"))
                        .header("Authorization", "Bearer " + stack.operatorToken()).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"headVersion\":\"" + publishedVersion + "\""));

        List<String> after = stack.sendGoodScans(16);
        outcomes.awaitAll(after, TIMEOUT);
        outcomes.settle();
        outcomes.assertExactlyOneOutcomeEach(after);
        assertThat(outcomes.predictionsOf(after)).hasSize(16).allSatisfy(p -> {
            assertThat(p.modelVersion()).isEqualTo(publishedVersion);
            assertThat(p.label()).isIn(PredictedLabel.COVID, PredictedLabel.NON_COVID);
            assertThat(p.probability()).isBetween(0.0, 1.0);
        });
    }

    @Test
    @Order(4)
    void everyServiceAnswersItsHealthProbes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (ServiceProcess service : stack.services()) {
            for (String path : DeploymentConfigTest.HEALTH_PATHS) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + service.managementPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(service.name() + " " + path).isEqualTo(200);
            }
        }
    }

    @Test
    @Order(5)
    void everyMetricTheDashboardAndTheAlertsUseIsExposed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> exposed = new TreeSet<>();
        for (ServiceProcess service : stack.services()) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.managementPort() + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    exposed.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        Set<String> used = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper().readTree(SystemStack.ROOT.resolve("docker/grafana/dashboards/scanstream.json").toFile());
        dashboard.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(SystemStack.ROOT.resolve("docker/prometheus/alerts.yml").toFile());
        rules.findValues("expr").forEach(e -> used.addAll(metricNames(e.asText())));
        used.remove("up"); // Prometheus' own
        assertThat(used).isNotEmpty();
        assertThat(exposed).containsAll(used);
    }

    private static final Pattern METRIC = Pattern.compile("\\b((?:scanstream|kafka|jvm)_[a-zA-Z0-9_]+)\\b|\\b(up)\\{");

    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return names;
    }
}
