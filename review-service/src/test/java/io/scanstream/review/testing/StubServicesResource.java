package io.scanstream.review.testing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for inference-service and training-service in the review service's Quarkus tests, answering their
 * contracts (docs/review.md): {@code POST /explanations} with a 7x7 cam that is hot in its top-left corner (409 for
 * version {@value #WITHDRAWN}), {@code GET /model}, {@code GET /models}, {@code POST /models/rollback} and an empty
 * run list. The real endpoints are built in those services; their own tests cover them.
 */
public class StubServicesResource implements QuarkusTestResourceLifecycleManager {

    public static final String WITHDRAWN = "v-withdrawn";
    public static final AtomicInteger EXPLANATIONS = new AtomicInteger();
    public static final AtomicInteger ROLLBACKS = new AtomicInteger();
    /** The Authorization header of the last call to {@code GET /models}. */
    public static final java.util.concurrent.atomic.AtomicReference<String> AUTHORIZATION =
            new java.util.concurrent.atomic.AtomicReference<>();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/explanations", exchange -> {
            EXPLANATIONS.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (body.contains("\"modelVersion\":\"" + WITHDRAWN + "\"")) {
                reply(exchange, 409, "{\"error\":\"version " + WITHDRAWN + " is no longer served\",\"servedVersion\":\"v2\"}");
                return;
            }
            StringBuilder cam = new StringBuilder();
            for (int y = 0; y < 7; y++) {
                for (int x = 0; x < 7; x++) {
                    cam.append(cam.length() == 0 ? "" : ",").append(x < 3 && y < 3 ? "1.0" : "0.0");
                }
            }
            reply(exchange, 200, "{\"scanId\":\"x\",\"modelVersion\":\"v1\",\"backboneId\":\"mobilenet_v2:stub\","
                    + "\"layer\":\"features.18\",\"probability\":0.8,\"gridWidth\":7,\"gridHeight\":7,\"cam\":[" + cam + "]}");
        });
        server.createContext("/model", exchange -> reply(exchange, 200,
                "{\"backbone\":\"mobilenet_v2:stub\",\"headVersion\":\"v2\"}"));
        server.createContext("/models", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/models/rollback")) {
                ROLLBACKS.incrementAndGet();
                reply(exchange, 202, "{\"version\":\"v3\",\"rollbackOf\":\"v1\"}");
                return;
            }
            AUTHORIZATION.set(exchange.getRequestHeaders().getFirst("Authorization"));
            reply(exchange, 200, "[{\"version\":\"v2\",\"createdAt\":\"2026-12-01T10:00:00Z\",\"backboneId\":\"mobilenet_v2:stub\","
                    + "\"mode\":\"HEAD\",\"metrics\":{\"auc\":0.9,\"intervals\":{\"auc\":{\"lower\":0.8,\"upper\":0.95}}},"
                    + "\"runId\":\"r2\",\"serving\":true,\"rollbackOf\":null},"
                    + "{\"version\":\"v1\",\"createdAt\":\"2026-11-30T10:00:00Z\",\"backboneId\":\"mobilenet_v2:stub\","
                    + "\"mode\":\"HEAD\",\"metrics\":{\"auc\":0.85},\"runId\":\"r1\",\"serving\":false,\"rollbackOf\":null}]");
        });
        server.createContext("/training/runs", exchange -> reply(exchange, 200, "[]"));
        // What the stub saw, for the tests (which may run in another class loader than this resource).
        server.createContext("/stub/rollbacks", exchange -> reply(exchange, 200, String.valueOf(ROLLBACKS.get())));
        server.createContext("/stub/authorization", exchange -> reply(exchange, 200,
                AUTHORIZATION.get() == null ? "" : AUTHORIZATION.get()));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("review.services.inference", url, "review.services.training", url);
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
