package io.scanstream.ingest.api;

import io.scanstream.core.contract.EncodedEvent;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.ingest.config.IngestConfig;
import io.quarkus.security.identity.SecurityIdentity;
import io.scanstream.service.kafka.CloudEventMessages;
import io.scanstream.service.logging.LoggedIds;
import io.scanstream.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * {@code POST /scans} for devices that speak HTTP rather than Kafka. The request follows the CloudEvents HTTP
 * binding in binary mode: the image is the body, {@code Content-Type} its media type, attributes in
 * {@code ce-*} headers. The scan is published to {@code scans.arrived} as the same CloudEvent a Kafka device
 * sends, so it takes the same path and ends in {@code scans.preprocessed} or {@code scans.rejected}.
 *
 * <p>{@code ce-source} is required (who sent it) and must name the calling device ({@link CallingDevice}: the
 * token's device claim or subject, or the client certificate's CN), else 403; {@code ce-id} defaults to a new UUID,
 * {@code ce-time} to now. Answers 202 with the scan id once the broker has the scan. Role: {@code device}.
 */
@Path("/scans")
@RolesAllowed(Roles.DEVICE)
public class ScanUploadResource {

    /** Outgoing channel: bound to {@code scans.arrived} in application.properties. */
    public static final String UPLOADS = "scans-uploads";

    private static final Logger LOG = Logger.getLogger(ScanUploadResource.class);

    private final MutinyEmitter<byte[]> uploads;
    private final long maxBytes;
    private final SecurityIdentity caller;
    private final String deviceClaim;

    public ScanUploadResource(@Channel(UPLOADS) MutinyEmitter<byte[]> uploads, IngestConfig config,
                              SecurityIdentity caller) {
        this.uploads = uploads;
        this.maxBytes = config.limits().decodeLimits().maxBytes();
        this.caller = caller;
        this.deviceClaim = config.auth().deviceClaim();
    }

    public record Accepted(String scanId, String status) {
    }

    public record Problem(String reason, String detail) {
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> upload(byte[] body,
                                @HeaderParam("Content-Type") String contentType,
                                @HeaderParam("ce-id") String id,
                                @HeaderParam("ce-source") String source,
                                @HeaderParam("ce-time") String time,
                                @HeaderParam("ce-subject") String subject) {
        if (source == null || source.isBlank()) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.MISSING_ATTRIBUTE,
                    "header ce-source (the device URI) is required");
        }
        if (contentType == null || contentType.isBlank()) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.MISSING_ATTRIBUTE, "header Content-Type is required");
        }
        if (body == null || body.length == 0) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.CORRUPT_IMAGE, "the request body (the image) is empty");
        }
        if (body.length > maxBytes) {
            return problem(Response.Status.REQUEST_ENTITY_TOO_LARGE, RejectionReason.TOO_LARGE,
                    "image of " + body.length + " bytes exceeds the limit of " + maxBytes + " bytes");
        }
        java.util.Optional<String> refusal = CallingDevice.refusal(caller, deviceClaim, source);
        if (refusal.isPresent()) {
            LOG.warnf("scan.upload.refused reason=FOREIGN_SOURCE detail=\"%s\"", refusal.get());
            return problem(Response.Status.FORBIDDEN, RejectionReason.MISSING_ATTRIBUTE, refusal.get());
        }
        URI device;
        OffsetDateTime acquiredAt;
        try {
            device = new URI(source);
            acquiredAt = time == null || time.isBlank() ? OffsetDateTime.now() : OffsetDateTime.parse(time);
        } catch (URISyntaxException | DateTimeParseException e) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.MISSING_ATTRIBUTE,
                    "ce-source must be a URI and ce-time an RFC 3339 timestamp: " + e.getMessage());
        }
        String scanId = id == null || id.isBlank() ? UUID.randomUUID().toString() : id;
        EncodedEvent event = EventCodecs.ARRIVED.encode(
                new ScanArrived(scanId, device, acquiredAt, blankToNull(subject), contentType, body));
        return uploads.sendMessage(CloudEventMessages.toChannelTopic(event))
                .replaceWith(() -> {
                    LOG.infof("scan.uploaded scanId=%s device=%s bytes=%d", LoggedIds.scan(scanId), device, body.length);
                    return Response.accepted(new Accepted(scanId, "ACCEPTED_FOR_PROCESSING")).build();
                });
    }

    private static Uni<Response> problem(Response.Status status, RejectionReason reason, String detail) {
        return Uni.createFrom().item(Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Problem(reason.name(), detail)).build());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
