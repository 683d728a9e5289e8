package io.scanstream.review.api;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.review.domain.Explanations;
import io.scanstream.review.domain.LabelPublisher;
import io.scanstream.review.domain.Labelling;
import io.scanstream.review.domain.Pictures;
import io.scanstream.review.domain.RemoteServiceException;
import io.scanstream.review.domain.ReviewView;
import io.scanstream.review.domain.ScanImages;
import io.scanstream.review.domain.ScanRow;
import io.scanstream.review.domain.WorklistQuery;
import io.scanstream.review.metrics.ReviewMetrics;
import io.scanstream.service.logging.LoggedIds;
import io.scanstream.service.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One scan: the page (slice, saliency, prediction, label), its PNGs, and the radiologist's action, which puts
 * exactly one label on {@code scans.labels}; the page shows the label once the view has read it back.
 */
@Path("/scans/{id}")
@RolesAllowed({Roles.CLINICIAN, Roles.OPERATOR})
@Blocking
public class ScanResource {

    private static final Logger LOG = Logger.getLogger(ScanResource.class);
    private static final String PNG = "image/png";

    private final ReviewView view;
    private final ScanImages images;
    private final Explanations explanations;
    private final LabelPublisher labels;
    private final ReviewMetrics metrics;
    private final Template scan;
    private final SecurityIdentity identity;

    public ScanResource(ReviewView view, ScanImages images, Explanations explanations, LabelPublisher labels,
                        ReviewMetrics metrics, Template scan, SecurityIdentity identity) {
        this.view = view;
        this.images = images;
        this.explanations = explanations;
        this.labels = labels;
        this.metrics = metrics;
        this.scan = scan;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("id") String id, @QueryParam("label") String label,
                                 @QueryParam("min") String min, @QueryParam("max") String max,
                                 @QueryParam("version") String version, @QueryParam("device") String device,
                                 @QueryParam("labelled") String labelled, @QueryParam("order") String order,
                                 @QueryParam("page") String page, @QueryParam("size") String size,
                                 @QueryParam("message") String message) {
        ScanRow row = row(id);
        WorklistQuery query = WorklistQuery.parse(label, min, max, version, device, labelled, order, page, size);
        return scan.data("row", row)
                .data("filters", QueryLinks.of(query))
                .data("next", view.neighbour(query, id, 1).map(ScanRow::scanId).orElse(null))
                .data("previous", view.neighbour(query, id, -1).map(ScanRow::scanId).orElse(null))
                .data("message", message)
                .data("user", Caller.of(identity));
    }

    @GET
    @Path("image.png")
    @Produces(PNG)
    public Response image(@PathParam("id") String id) {
        return png(Pictures.slicePng(image(row(id))));
    }

    @GET
    @Path("thumbnail.png")
    @Produces(PNG)
    public Response thumbnail(@PathParam("id") String id) {
        return png(Pictures.thumbnailPng(image(row(id))));
    }

    /** The overlay, or 409/502 with a message the page shows in its place. */
    @GET
    @Path("saliency.png")
    @Produces({PNG, MediaType.TEXT_PLAIN})
    public Response saliency(@PathParam("id") String id) {
        ScanRow row = row(id);
        GreyImage image = image(row);
        Explanations.Explanation explanation;
        try {
            explanation = explanations.explain(id, row.modelVersion(), image, Caller.of(identity).accessToken());
        } catch (RemoteServiceException e) {
            return text(Response.Status.BAD_GATEWAY, "No saliency map: " + e.getMessage());
        }
        if (explanation instanceof Explanations.VersionNotServed notServed) {
            return text(Response.Status.CONFLICT, "No saliency map: " + notServed.error()
                    + (notServed.servedVersion() != null ? " (serving " + notServed.servedVersion() + ")" : ""));
        }
        Explanations.Computed cam = (Explanations.Computed) explanation;
        try {
            return png(Pictures.saliencyPng(cam.cam(), cam.gridWidth(), cam.gridHeight(), image.width(), image.height()));
        } catch (IllegalArgumentException e) {
            return text(Response.Status.BAD_GATEWAY, "No saliency map: inference's answer is unusable: " + e.getMessage());
        }
    }

    /**
     * Confirm or correct: one label event with {@code labelledBy} = the signed-in person, published before the
     * answer (303 back to the scan page, which shows the label once read back from the topic).
     */
    @POST
    @Path("label")
    public Response label(@PathParam("id") String id, @FormParam("action") String action,
                          @FormParam("back") String back) {
        ScanRow row = row(id);
        Caller caller = Caller.of(identity);
        ScanLabel label = Labelling.label(row, Labelling.parseAction(action), caller.name(),
                OffsetDateTime.now(ZoneOffset.UTC));
        try {
            labels.publish(label);
        } catch (LabelPublisher.LabelNotRecordedException e) {
            return text(Response.Status.SERVICE_UNAVAILABLE, "The label was not recorded: " + e.getMessage());
        }
        metrics.labelRecorded(caller.roles(), row.predictedAt(), label.labelledAt());
        LOG.infof("label recorded scan=%s role=%s", LoggedIds.scan(id), ReviewMetrics.role(caller.roles()));
        String query = back == null || back.isBlank() || back.contains("://") ? "" : back;
        return Response.seeOther(URI.create("/scans/" + encode(id) + "?" + query
                + (query.isEmpty() ? "" : "&") + "message=recorded")).build();
    }

    private ScanRow row(String id) {
        return view.row(id).orElseThrow(() -> new NotFoundException("no scan " + id + " in the review view"));
    }

    private GreyImage image(ScanRow row) {
        return row.imageLocation().flatMap(location -> images.image(row.scanId(), location))
                .orElseThrow(() -> new NotFoundException("the image of scan " + row.scanId()
                        + " is not (or no longer) on the preprocessed topic"));
    }

    private static Response png(byte[] bytes) {
        return Response.ok(bytes, PNG).header("Cache-Control", "private, max-age=300").build();
    }

    private static Response text(Response.Status status, String message) {
        return Response.status(status).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8")).entity(message).build();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
