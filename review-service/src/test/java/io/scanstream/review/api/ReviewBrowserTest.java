package io.scanstream.review.api;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.review.testing.StubServicesResource;
import io.scanstream.testing.kafka.KafkaBrokerTestResource;
import io.scanstream.testing.kafka.SharedBrokerClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workstation in a real browser (Debian's headless chromium through its chromedriver, Selenium): sign in at the
 * OIDC test server, open the worklist, open a scan, see the saliency overlay (inference's explanation endpoint is a
 * stub of its contract here), click "correct", and the label arrives on {@code scans.labels} with the signed-in
 * person as {@code labelledBy}. Screenshots go to {@code target/screenshots/} (a build artifact). Skipped with a
 * message where chromium or chromedriver is not installed (.ci/run installs both).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(OidcWiremockTestResource.class)
@WithTestResource(StubServicesResource.class)
class ReviewBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("review.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("review.test.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final SharedBrokerClient KAFKA = new SharedBrokerClient();

    @TestHTTPResource("/")
    URL app;

    @Test
    void signInOpenAScanSeeItsSaliencyAndCorrectIt() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "real-browser test skipped: no " + CHROMIUM + " or " + CHROMEDRIVER
                        + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String device = "/devices/browser-" + run;
        String id = run + "-scan";
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // A few scans on this device: the one the radiologist corrects, and others around it in the worklist.
        SyntheticCtGenerator generator = new SyntheticCtGenerator(7);
        double[] probabilities = {0.81, 0.12, 0.55, 0.93};
        for (int i = 0; i < probabilities.length; i++) {
            String scanId = i == 0 ? id : run + "-other-" + i;
            OffsetDateTime acquired = now.minusMinutes(10 - i);
            KAFKA.client().send(EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, new ScanPreprocessed(
                    scanId, URI.create(device), acquired, "p-" + run, "sha-" + scanId, ImageFormat.PNG, 512, 512,
                    slice(generator.scan(i).bytes()))));
            KAFKA.client().send(EventCodecs.PREDICTED.toRecord(Topics.SCANS_PREDICTIONS, new ScanPrediction(scanId,
                    PredictedLabel.of(probabilities[i], 0.5), probabilities[i], 0.5, "v1", "mobilenet_v2:stub",
                    acquired, acquired.plusSeconds(3))));
        }

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.manage().timeouts().pageLoadTimeout(WAIT);
            // A click that reloads or re-renders the page can replace an element between finding it and reading
            // it; the wait then looks again instead of failing on the stale reference.
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            wait.ignoring(StaleElementReferenceException.class);
            String worklist = app.toURI().resolve("/worklist?device=" + device).toString();

            browser.get(worklist);
            // The OIDC test server's sign-in form
            wait.until(d -> !d.findElements(By.id("password")).isEmpty());
            browser.findElement(By.id("username")).sendKeys("alice");
            browser.findElement(By.id("password")).sendKeys("alice");
            browser.findElement(By.id("login")).click();
            wait.until(d -> !d.findElements(By.id("user")).isEmpty());
            assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("alice");
            browser.get(worklist); // signed in: the filtered worklist itself

            wait.until(d -> {
                if (d.findElements(By.cssSelector("tr.scan-row")).size() < probabilities.length) {
                    d.navigate().refresh();
                    return false;
                }
                return true;
            });
            wait.until(d -> (Boolean) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                    "return Array.from(document.querySelectorAll('img.thumb')).every(i => i.complete && i.naturalWidth > 0);"));
            screenshot(browser, "review-worklist.png");

            browser.findElement(By.linkText(id)).click();
            wait.until(d -> d.findElement(By.id("saliency-status")).getText().equals("Saliency shown."));
            assertThat(browser.findElement(By.id("saliency")).isDisplayed()).isTrue();
            assertThat(browser.findElement(By.id("predicted")).getText()).isEqualTo("COVID");
            screenshot(browser, "review-scan.png");

            browser.findElement(By.id("correct")).click();
            wait.until(d -> d.findElement(By.id("label")).getText().contains("by alice"));
            assertThat(browser.findElement(By.id("label")).getText()).startsWith("NON_COVID by alice");
            screenshot(browser, "review-labelled.png");
        } finally {
            browser.quit();
        }

        List<ConsumerRecord<String, byte[]>> labels = KAFKA.client().collect(Topics.SCANS_LABELS,
                r -> id.equals(r.key()), 1, Duration.ofSeconds(20), Duration.ofSeconds(1));
        assertThat(labels).hasSize(1);
        ScanLabel label = EventCodecs.LABELLED.fromRecord(labels.get(0));
        assertThat(label.label()).isEqualTo(ClinicalLabel.NON_COVID);
        assertThat(label.labelledBy()).isEqualTo("alice");
    }

    /** The synthetic slice preprocessed as ingest does it (a real-looking image for the screenshots). */
    private static io.scanstream.core.imaging.GreyImage slice(byte[] encoded) {
        var result = new io.scanstream.core.imaging.ScanPreprocessor(io.scanstream.core.imaging.DecodeLimits.DEFAULT)
                .preprocess(encoded);
        return ((io.scanstream.core.imaging.ScanPreprocessor.Result.Accepted) result).scan().image();
    }

    private static void screenshot(WebDriver browser, String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
