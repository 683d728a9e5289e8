package io.scanstream.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A service's Prometheus endpoint ({@code /q/metrics} on its management port, no token), as tests and benchmarks
 * read it: one client for repeated scrapes.
 */
public final class ServiceMetrics {

    private final HttpClient http = HttpClient.newHttpClient();
    private final HttpRequest scrape;

    public ServiceMetrics(int managementPort) {
        scrape = HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
    }

    /** The whole exposition, as text. */
    public String scrape() throws IOException, InterruptedException {
        return http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** {@link #sum(String, String)} of a fresh scrape. */
    public double sum(String name) throws IOException, InterruptedException {
        return sum(scrape(), name);
    }

    /**
     * The sum of a metric's series in a Prometheus text exposition: {@code name} is a metric name (every series of it)
     * or one series with its labels, as exposed ({@code name{reason="X"}}); 0 when it is absent.
     */
    public static double sum(String exposition, String name) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).strip());
            }
        }
        return sum;
    }
}
