package io.scanstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Asks training-service for its runs ({@code GET /training/runs}) and sums them up in a few words for the
 * console: runs so far, the one in progress (epoch), the last one's outcome and validation AUC — gated-out runs
 * included, which never reach {@code models.published}.
 */
final class TrainingRuns {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final URI runs;
    private final java.util.function.Supplier<String> token;

    /** @param token a bearer token with a role that may read runs (operator or clinician) */
    TrainingRuns(int port, java.util.function.Supplier<String> token) {
        this.runs = URI.create("http://localhost:" + port + "/training/runs");
        this.token = token;
    }

    String summary() {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(runs).timeout(Duration.ofSeconds(2))
                            .header("Authorization", "Bearer " + token.get()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return "training: n/a";
            }
            List<JsonNode> all = new ArrayList<>();
            Json.MAPPER.readTree(response.body()).forEach(all::add);
            if (all.isEmpty()) {
                return "training: no run yet";
            }
            all.sort(Comparator.comparing(r -> r.path("queuedAt").asText()));
            StringBuilder sb = new StringBuilder("training: ").append(all.size()).append(all.size() == 1 ? " run" : " runs");
            all.stream().filter(r -> "RUNNING".equals(r.path("state").asText())).findFirst().ifPresent(r ->
                    sb.append(", running epoch ").append(r.path("epoch").asInt()).append('/').append(r.path("epochs").asInt()));
            all.stream().filter(r -> "FINISHED".equals(r.path("state").asText())).reduce((a, b) -> b).ifPresent(r -> {
                sb.append(", last ").append(r.path("outcome").asText().toLowerCase(Locale.ROOT));
                if (r.hasNonNull("validationAuc")) {
                    sb.append(String.format(Locale.ROOT, " (val AUC %.3f)", r.path("validationAuc").asDouble()));
                }
            });
            return sb.toString();
        } catch (Exception e) {
            return "training: n/a";
        }
    }
}
