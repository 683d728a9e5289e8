package io.scanstream.review.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.Json;
import io.scanstream.review.domain.ModelCatalogue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@link ModelCatalogue} from training-service ({@code /models}, {@code /models/rollback}, {@code /training/runs}
 * and the runs' reports) and inference-service ({@code GET /model}).
 */
public final class TrainingCatalogue implements ModelCatalogue {

    /** Plot files a report names: no path, only a plain PNG name (the name goes into a URL). */
    private static final Pattern PLOT_FILE = Pattern.compile("[A-Za-z0-9._-]{1,100}\\.png");
    /** How many recent runs the models page reads the reports of. */
    static final int RUNS_SHOWN = 20;

    private final JsonHttp training;
    private final JsonHttp inference;

    public TrainingCatalogue(URI training, URI inference, Duration timeout) {
        this.training = new JsonHttp("training-service", training, timeout);
        this.inference = new JsonHttp("inference-service", inference, timeout);
    }

    @Override
    public List<ModelRecord> models(Optional<String> bearer) {
        JsonHttp.Answer answer = training.get("/models", bearer);
        if (answer.status() != 200) {
            throw training.failure(answer);
        }
        List<ModelRecord> models = new ArrayList<>();
        for (JsonNode m : answer.json(training.service())) {
            models.add(new ModelRecord(text(m, "version"), instant(m, "createdAt"), text(m, "backboneId"),
                    text(m, "mode"), map(m.get("metrics")), text(m, "runId"), m.path("serving").asBoolean(false),
                    text(m, "rollbackOf")));
        }
        return models;
    }

    @Override
    public RollbackOutcome rollback(String version, Optional<String> bearer) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version is required: the older version to serve again");
        }
        JsonHttp.Answer answer = training.post("/models/rollback", Map.of("version", version), bearer);
        return switch (answer.status()) {
            case 200, 201, 202 -> {
                JsonNode json = answer.json(training.service());
                yield new RolledBack(text(json, "version"), text(json, "rollbackOf"));
            }
            case 404 -> new UnknownVersion(training.failure(answer).getMessage());
            case 409 -> new NotRestorable(training.failure(answer).getMessage());
            case 403 -> new Forbidden(training.failure(answer).getMessage());
            default -> throw training.failure(answer);
        };
    }

    @Override
    public Optional<String> servedVersion(Optional<String> bearer) {
        JsonHttp.Answer answer = inference.get("/model", bearer);
        if (answer.status() != 200) {
            throw inference.failure(answer);
        }
        return Optional.ofNullable(text(answer.json(inference.service()), "headVersion"));
    }

    @Override
    public List<RunSummary> runs(Optional<String> bearer) {
        JsonHttp.Answer answer = training.get("/training/runs", bearer);
        if (answer.status() != 200) {
            throw training.failure(answer);
        }
        List<RunSummary> runs = new ArrayList<>();
        for (JsonNode run : answer.json(training.service())) {
            if (runs.size() >= RUNS_SHOWN) {
                break;
            }
            String id = text(run, "id");
            if (id == null) {
                continue;
            }
            JsonHttp.Answer report = training.get("/training/runs/" + encode(id) + "/report", bearer);
            if (report.status() != 200) {
                continue; // running, or no report: the list shows runs that have one
            }
            runs.add(summary(id, run, report.json(training.service())));
        }
        return runs;
    }

    @Override
    public Optional<byte[]> plot(String runId, String file, Optional<String> bearer) {
        if (!PLOT_FILE.matcher(file).matches()) {
            throw new IllegalArgumentException("not a plot file name: " + file);
        }
        JsonHttp.Answer answer = training.get("/training/runs/" + encode(runId) + "/report/" + file, bearer);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (answer.status() != 200) {
            throw training.failure(answer);
        }
        return Optional.of(answer.body());
    }

    static RunSummary summary(String id, JsonNode run, JsonNode report) {
        JsonNode gate = report.get("gate");
        Map<String, String> plots = new LinkedHashMap<>();
        JsonNode plotLinks = report.get("plots");
        if (plotLinks != null && plotLinks.isObject()) {
            plotLinks.fieldNames().forEachRemaining(name -> {
                String link = plotLinks.get(name).asText();
                String file = link.substring(link.lastIndexOf('/') + 1);
                if (PLOT_FILE.matcher(file).matches()) {
                    plots.put(name, file);
                }
            });
        }
        boolean hasGate = gate != null && gate.isObject();
        return new RunSummary(id, text(report, "mode"), text(report, "outcome"), text(report, "version"),
                instant(report, "finishedAt"),
                hasGate ? gate.path("publish").asBoolean() : null,
                hasGate ? text(gate, "reason") : null,
                hasGate ? text(gate, "metric") : null,
                hasGate ? number(gate, "challenger") : null,
                hasGate ? number(gate, "champion") : null,
                hasGate ? text(gate, "championVersion") : null,
                plots);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String text(JsonNode json, String field) {
        return InferenceExplanations.text(json, field, null);
    }

    private static Double number(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || !n.isNumber() ? null : n.asDouble();
    }

    private static Instant instant(JsonNode json, String field) {
        String s = text(json, field);
        if (s == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return Instant.parse(s);
            } catch (java.time.format.DateTimeParseException e2) {
                return null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(JsonNode json) {
        return json == null || !json.isObject() ? Map.of() : Json.MAPPER.convertValue(json, LinkedHashMap.class);
    }
}
