package io.scanstream.review.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.review.domain.Explanations;
import io.scanstream.review.domain.RemoteServiceException;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link Explanations} from inference-service's {@code POST /explanations} (contract in docs/review.md). */
public final class InferenceExplanations implements Explanations {

    private final JsonHttp http;

    public InferenceExplanations(URI inference, Duration timeout) {
        this.http = new JsonHttp("inference-service", inference, timeout);
    }

    @Override
    public Explanation explain(String scanId, String modelVersion, GreyImage image, Optional<String> bearer) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("scanId", scanId);
        request.put("modelVersion", modelVersion);
        request.put("width", image.width());
        request.put("height", image.height());
        request.put("pixels", Base64.getEncoder().encodeToString(image.pixels()));
        JsonHttp.Answer answer = http.post("/explanations", request, bearer);
        if (answer.status() == 409) {
            JsonNode json = answer.json(http.service());
            return new VersionNotServed(text(json, "error", "version not served"), text(json, "servedVersion", null));
        }
        if (answer.status() != 200) {
            throw http.failure(answer);
        }
        JsonNode json = answer.json(http.service());
        int gw = json.path("gridWidth").asInt(0);
        int gh = json.path("gridHeight").asInt(0);
        JsonNode camNode = json.path("cam");
        if (gw < 1 || gh < 1 || !camNode.isArray() || camNode.size() != gw * gh) {
            throw new RemoteServiceException("inference-service's explanation has a " + gw + "x" + gh + " grid and "
                    + camNode.size() + " cam values", 200, null);
        }
        float[] cam = new float[camNode.size()];
        for (int i = 0; i < cam.length; i++) {
            cam[i] = (float) camNode.get(i).asDouble();
        }
        return new Computed(text(json, "scanId", scanId), text(json, "modelVersion", null),
                text(json, "backboneId", null), text(json, "layer", null), json.path("probability").asDouble(),
                gw, gh, cam);
    }

    static String text(JsonNode json, String field, String fallback) {
        JsonNode node = json == null ? null : json.get(field);
        return node == null || node.isNull() ? fallback : node.asText();
    }
}
