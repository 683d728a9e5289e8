package io.scanstream.ingest.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanstream.core.contract.EncodedEvent;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.ingest.config.IngestConfig;
import io.scanstream.ingest.config.PipelineProducer;
import io.scanstream.ingest.domain.StowIntake;
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
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DICOMweb STOW-RS, {@code POST /studies}: one or more DICOM Part 10 instances in a
 * {@code multipart/related; type="application/dicom"} body, as PACS and modalities send them. Each instance is read
 * and de-identified here, before anything reaches Kafka ({@link StowIntake}); the de-identified copy is published to
 * {@code scans.arrived} as a scan-arrival CloudEvent ({@code application/dicom}, {@code ce_id} = the pseudonymised
 * SOP Instance UID, {@code ce_subject} = the patient pseudonym, {@code ce_time} = when ingest received it), so it
 * takes the path of every scan and ends in {@code scans.preprocessed} or {@code scans.rejected}. The response
 * ({@link StowResponse}) lists the instances taken, with their scan ids, and those refused, with the reason.
 *
 * <p>Only a caller with the {@code device} role may store instances. The sending device is the caller's
 * ({@link CallingDevice}: the token's device claim or subject, or the client certificate's CN); {@code ce-source},
 * if given, must name that device (else 403).
 */
@Path("/studies")
@RolesAllowed(Roles.DEVICE)
public class DicomWebResource {

    private static final Logger LOG = Logger.getLogger(DicomWebResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutinyEmitter<byte[]> uploads;
    private final StowIntake intake;
    private final SecurityIdentity caller;
    private final String deviceClaim;

    public DicomWebResource(@Channel(ScanUploadResource.UPLOADS) MutinyEmitter<byte[]> uploads, IngestConfig config,
                            SecurityIdentity caller) {
        this.uploads = uploads;
        this.intake = new StowIntake(PipelineProducer.decodeLimits(config), config.pseudonymisationKey());
        this.caller = caller;
        this.deviceClaim = config.auth().deviceClaim();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces({StowResponse.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public Uni<Response> store(byte[] body, @HeaderParam("Content-Type") String contentType,
                               @HeaderParam("ce-source") String source) {
        List<MultipartRelated.Part> parts;
        try {
            parts = MultipartRelated.parse(MultipartRelated.boundary(contentType), body == null ? new byte[0] : body);
        } catch (MultipartRelated.UnsupportedMediaType e) {
            return problem(Response.Status.UNSUPPORTED_MEDIA_TYPE, RejectionReason.UNSUPPORTED_FORMAT, e.getMessage());
        } catch (MultipartRelated.Malformed e) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.CORRUPT_IMAGE, e.getMessage());
        }
        if (parts.isEmpty()) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.CORRUPT_IMAGE, "the request holds no instance");
        }
        java.util.Optional<String> callingDevice = CallingDevice.of(caller, deviceClaim);
        String claimed = source == null || source.isBlank() ? callingDevice.orElse("") : source;
        java.util.Optional<String> refusal = CallingDevice.refusal(caller, deviceClaim, claimed);
        if (refusal.isPresent()) {
            LOG.warnf("stow.refused reason=FOREIGN_SOURCE detail=\"%s\"", refusal.get());
            return problem(Response.Status.FORBIDDEN, RejectionReason.MISSING_ATTRIBUTE, refusal.get());
        }
        URI device;
        try {
            device = new URI(claimed);
        } catch (URISyntaxException e) {
            return problem(Response.Status.BAD_REQUEST, RejectionReason.MISSING_ATTRIBUTE, "ce-source must be a URI");
        }
        OffsetDateTime receivedAt = OffsetDateTime.now(ZoneOffset.UTC);
        List<Uni<StowIntake.Outcome>> outcomes = new ArrayList<>();
        for (MultipartRelated.Part part : parts) {
            String type = part.mediaType().orElse(ImageFormat.DICOM.mediaType());
            StowIntake.Outcome outcome = type.equals(ImageFormat.DICOM.mediaType())
                    ? intake.accept(part.body()) : StowIntake.notDicom(type);
            outcomes.add(outcome instanceof StowIntake.Stored stored ? publish(stored, device, receivedAt)
                    : Uni.createFrom().item(outcome));
        }
        return Uni.join().all(outcomes).andFailFast().map(this::respond);
    }

    private Uni<StowIntake.Outcome> publish(StowIntake.Stored stored, URI device, OffsetDateTime receivedAt) {
        EncodedEvent event = EventCodecs.ARRIVED.encode(new ScanArrived(stored.scanId(), device, receivedAt,
                stored.patient(), ImageFormat.DICOM.mediaType(), stored.bytes()));
        event.headers().add(new RecordHeader(StowIntake.SEAL_HEADER, stored.seal().getBytes(StandardCharsets.UTF_8)));
        return uploads.sendMessage(CloudEventMessages.toChannelTopic(event))
                .replaceWith((StowIntake.Outcome) stored)
                .onFailure().recoverWithItem(e -> new StowIntake.Failed(stored.sopClassUid(), stored.sopInstanceUid(),
                        Rejection.of(RejectionReason.INTERNAL, "not published to Kafka: " + e.getMessage())));
    }

    private Response respond(List<StowIntake.Outcome> outcomes) {
        for (StowIntake.Outcome outcome : outcomes) {
            // Structured, one line per instance; never a raw UID or patient reference.
            if (outcome instanceof StowIntake.Stored s) {
                LOG.infof("stow.stored scanId=%s bytes=%d", LoggedIds.scan(s.scanId()), s.bytes().length);
            } else {
                StowIntake.Failed f = (StowIntake.Failed) outcome;
                LOG.infof("stow.failed reason=%s detail=\"%s\"", f.rejection().reason(), f.rejection().detail());
            }
        }
        StowResponse response = new StowResponse(outcomes);
        try {
            return Response.status(response.status()).type(StowResponse.MEDIA_TYPE)
                    .entity(JSON.writeValueAsString(response.toDicomJson())).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialise", e);
        }
    }

    private static Uni<Response> problem(Response.Status status, RejectionReason reason, String detail) {
        return Uni.createFrom().item(Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ScanUploadResource.Problem(reason.name(), detail)).build());
    }
}
