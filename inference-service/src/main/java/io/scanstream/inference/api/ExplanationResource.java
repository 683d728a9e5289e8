package io.scanstream.inference.api;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.inference.domain.Explanations;
import io.scanstream.model.explain.Saliency;
import io.scanstream.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /explanations}: a Grad-CAM map of a preprocessed scan under the version in service, on its backbone's
 * last convolutional stage (docs/contract.md, "Explanations"). Runs on a request worker thread, never the batch
 * thread; one at a time (429 while another runs). 409 when the version asked for is not the one in service.
 */
@Path("/explanations")
@RolesAllowed({Roles.CLINICIAN, Roles.OPERATOR})
public class ExplanationResource {

    /**
     * @param modelVersion the version the prediction carries; null for a prediction made without a head
     * @param pixels       base64 of {@code width * height} uint8 grey pixels, row-major: the {@code scans.preprocessed}
     *                     image
     */
    public record ExplanationRequest(String scanId, String modelVersion, Integer width, Integer height, String pixels) {
    }

    public record ExplanationResponse(String scanId, String modelVersion, String backboneId, String layer,
                                      double probability, int gridWidth, int gridHeight, float[] cam) {
    }

    public record ExplanationError(String error, String servedVersion) {
    }

    private final Explanations explanations;

    public ExplanationResource(Explanations explanations) {
        this.explanations = explanations;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response explain(ExplanationRequest request) {
        List<String> problems = problems(request);
        if (!problems.isEmpty()) {
            return error(Response.Status.BAD_REQUEST, String.join("; ", problems), null);
        }
        byte[] pixels = Base64.getDecoder().decode(request.pixels());
        GreyImage image = new GreyImage(request.width(), request.height(), pixels);
        Explanations.Outcome outcome = explanations.explain(request.scanId(), request.modelVersion(), image);
        if (outcome instanceof Explanations.Explained explained) {
            Saliency s = explained.saliency();
            return Response.ok(new ExplanationResponse(explained.scanId(), explained.modelVersion(),
                    explained.backboneId(), explained.layer(), s.probability(), s.gridWidth(), s.gridHeight(),
                    s.cam())).build();
        }
        if (outcome instanceof Explanations.NotServed notServed) {
            return error(Response.Status.CONFLICT, notServed.served() == null
                    ? "no model version is in service here; version " + notServed.requested() + " cannot be explained"
                    : "version " + notServed.requested() + " is not in service here (" + notServed.served()
                    + " is): explanations are of the version in service only", notServed.served());
        }
        if (outcome instanceof Explanations.Busy) {
            return Response.status(429).header("Retry-After", "1").type(MediaType.APPLICATION_JSON)
                    .entity(new ExplanationError("another explanation is running; retry shortly", null)).build();
        }
        return error(Response.Status.SERVICE_UNAVAILABLE, ((Explanations.Unavailable) outcome).reason(), null);
    }

    /** Every problem of the body at once, so a caller fixes it in one go. */
    static List<String> problems(ExplanationRequest request) {
        List<String> problems = new ArrayList<>();
        if (request == null) {
            return List.of("a JSON body is required: {scanId, modelVersion, width, height, pixels}");
        }
        if (request.scanId() == null || request.scanId().isBlank()) {
            problems.add("scanId is required");
        }
        int side = ScanPreprocessor.MODEL_INPUT_SIZE;
        if (request.width() == null || request.height() == null) {
            problems.add("width and height are required");
        } else if (request.width() != side || request.height() != side) {
            problems.add("the image must be the preprocessed " + side + "x" + side + ", not " + request.width() + "x"
                    + request.height());
        }
        if (request.pixels() == null) {
            problems.add("pixels (base64 of the uint8 grey pixels) are required");
        } else {
            try {
                int length = Base64.getDecoder().decode(request.pixels()).length;
                if (length != side * side) {
                    problems.add("pixels decode to " + length + " bytes, a " + side + "x" + side + " image has "
                            + side * side);
                }
            } catch (IllegalArgumentException e) {
                problems.add("pixels are not base64: " + e.getMessage());
            }
        }
        return problems;
    }

    private static Response error(Response.Status status, String message, String servedVersion) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ExplanationError(message, servedVersion)).build();
    }
}
