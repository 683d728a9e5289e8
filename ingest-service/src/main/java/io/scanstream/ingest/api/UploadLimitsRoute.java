package io.scanstream.ingest.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.scanstream.ingest.config.IngestConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Applies {@link UploadLimits} to {@code POST /scans} and {@code POST /studies}, ahead of Quarkus' own body-size
 * handler (so a declared oversize gets a JSON problem, not an empty 413) and before authentication and the body is
 * read. A body sent without Content-Length that grows over the limit is still cut off by
 * {@code quarkus.http.limits.max-body-size} (the same figure), with Quarkus' plain 413.
 */
@ApplicationScoped
public class UploadLimitsRoute {

    private static final Logger LOG = Logger.getLogger(UploadLimitsRoute.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UploadLimits limits;

    public UploadLimitsRoute(IngestConfig config) {
        IngestConfig.Http http = config.http();
        this.limits = new UploadLimits(http.maxBodyBytes(), http.maxConcurrentUploads(), http.retryAfter());
    }

    void register(@Observes Router router) {
        for (String path : new String[] {"/scans", "/studies"}) {
            router.route(HttpMethod.POST, path).order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::limit);
        }
    }

    private void limit(RoutingContext context) {
        Optional<UploadLimits.Refusal> tooLarge = limits.checkLength(context.request().getHeader("Content-Length"));
        if (tooLarge.isPresent()) {
            refuse(context, tooLarge.get());
            return;
        }
        Optional<UploadLimits.Permit> permit = limits.tryEnter();
        if (permit.isEmpty()) {
            context.response().putHeader("Retry-After", String.valueOf(limits.retryAfterSeconds()));
            refuse(context, limits.busy());
            return;
        }
        // Released when the response is sent or the connection goes away, whichever comes first.
        context.addEndHandler(done -> permit.get().release());
        context.next();
    }

    private static void refuse(RoutingContext context, UploadLimits.Refusal refusal) {
        LOG.warnf("upload.refused path=%s status=%d reason=%s detail=\"%s\"", context.normalizedPath(),
                refusal.status(), refusal.reason(), refusal.detail());
        String body;
        try {
            body = JSON.writeValueAsString(new ScanUploadResource.Problem(refusal.reason(), refusal.detail()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("two strings always serialise", e);
        }
        // The body is not read: close the connection after answering rather than drain an oversized upload.
        context.response().setStatusCode(refusal.status()).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close").end(body);
    }

    UploadLimits limits() {
        return limits;
    }
}
