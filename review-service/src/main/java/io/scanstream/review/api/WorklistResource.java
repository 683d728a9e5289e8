package io.scanstream.review.api;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.scanstream.review.domain.ReviewView;
import io.scanstream.review.domain.WorklistPage;
import io.scanstream.review.domain.WorklistQuery;
import io.scanstream.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** The worklist: recent predictions, filtered, ordered and paged by {@link ReviewView#query}. */
@Path("/")
@RolesAllowed({Roles.CLINICIAN, Roles.OPERATOR})
public class WorklistResource {

    private final ReviewView view;
    private final Template worklist;
    private final SecurityIdentity identity;

    public WorklistResource(ReviewView view, Template worklist, SecurityIdentity identity) {
        this.view = view;
        this.worklist = worklist;
        this.identity = identity;
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/worklist")).build();
    }

    @GET
    @Path("worklist")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance worklist(@QueryParam("label") String label, @QueryParam("min") String min,
                                     @QueryParam("max") String max, @QueryParam("version") String version,
                                     @QueryParam("device") String device, @QueryParam("labelled") String labelled,
                                     @QueryParam("order") String order, @QueryParam("page") String page,
                                     @QueryParam("size") String size) {
        WorklistQuery query = WorklistQuery.parse(label, min, max, version, device, labelled, order, page, size);
        WorklistPage result = view.query(query);
        return worklist.data("page", result)
                .data("filters", QueryLinks.of(query))
                .data("facets", view.facets())
                .data("viewSize", view.size())
                .data("capacity", view.capacity())
                .data("user", Caller.of(identity));
    }
}
