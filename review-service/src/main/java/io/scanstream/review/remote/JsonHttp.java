package io.scanstream.review.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.Json;
import io.scanstream.review.domain.RemoteServiceException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP calls to the other services: JSON in and out, the user's bearer token passed on, a timeout on every
 * call, failures as {@link RemoteServiceException} naming the service and what it said.
 */
final class JsonHttp {

    record Answer(int status, byte[] body) {
        JsonNode json(String service) {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new RemoteServiceException(service + " answered " + status + " with a body that is not JSON", status, e);
            }
        }
    }

    private final String service;
    private final URI base;
    private final Duration timeout;
    private final HttpClient client;

    JsonHttp(String service, URI base, Duration timeout) {
        this.service = service;
        this.base = base;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    String service() {
        return service;
    }

    Answer get(String path, Optional<String> bearer) {
        return send(request(path, bearer).GET().build());
    }

    Answer post(String path, Object body, Optional<String> bearer) {
        return send(request(path, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body))).build());
    }

    /** An error status as an exception, with the service's own {@code error} message where it gave one. */
    RemoteServiceException failure(Answer answer) {
        String detail = "";
        try {
            JsonNode json = Json.MAPPER.readTree(answer.body());
            if (json != null && json.hasNonNull("error")) {
                detail = ": " + json.get("error").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status alone
        }
        return new RemoteServiceException(service + " answered " + answer.status() + detail, answer.status(), null);
    }

    private HttpRequest.Builder request(String path, Optional<String> bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Accept", "application/json, image/png");
        bearer.ifPresent(token -> b.header("Authorization", "Bearer " + token));
        return b;
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new RemoteServiceException(service + " at " + base + " cannot be reached: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteServiceException("interrupted while calling " + service, 0, e);
        }
    }
}
