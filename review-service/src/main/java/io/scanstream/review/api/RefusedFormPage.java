package io.scanstream.review.api;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * A form post refused without a word (quarkus-rest-csrf answers a missing, stale or foreign token with an empty
 * 400) gets a page that tells the radiologist what happened and what to do: nothing was recorded; reload the page
 * (a new token) and submit again. Every other refusal already says what was wrong ({@link BadRequestMapper}).
 */
public class RefusedFormPage {

    static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Form expired - ScanStream review</title></head>
            <body><h1>This form could not be accepted</h1>
            <p>Nothing was recorded. The form's security token had expired (the page was open too long), or the form
            did not come from this workstation's own page.</p>
            <p>Go back, <strong>reload the page</strong> and submit it again. <a href="/">Worklist</a></p>
            </body></html>
            """;

    @ServerResponseFilter
    public void explainRefusedForms(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 400 && !response.hasEntity() && HttpMethod.POST.equals(request.getMethod())
                && MediaType.APPLICATION_FORM_URLENCODED_TYPE.isCompatible(request.getMediaType())) {
            response.setEntity(PAGE, null, MediaType.TEXT_HTML_TYPE.withCharset("utf-8"));
            response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
        }
    }
}
