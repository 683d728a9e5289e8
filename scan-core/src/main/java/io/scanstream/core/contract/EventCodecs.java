package io.scanstream.core.contract;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.signing.ModelSignature;
import io.scanstream.core.signing.ModelSigner;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

/**
 * One codec per event type of contract v1 (docs/contract.md). JSON payloads for the public events, compact
 * binary for the internal ones; attributes in {@code ce_*} headers (binary content mode).
 */
public final class EventCodecs {

    public static final String GREY8_MEDIA_TYPE = "application/vnd.scanstream.grey8";
    public static final String FLOAT32_MEDIA_TYPE = "application/vnd.scanstream.float32";
    public static final String JSON_MEDIA_TYPE = "application/json";

    public static final EventCodec<ScanArrived> ARRIVED = new EventCodec<>(EventTypes.SCAN_ARRIVED) {
        @Override
        public String key(ScanArrived e) {
            return e.scanId();
        }

        @Override
        public CloudEvent toCloudEvent(ScanArrived e) {
            CloudEventBuilder b = CloudEventBuilder.v1().withId(e.scanId()).withSource(e.device())
                    .withType(eventType()).withTime(e.acquiredAt())
                    .withData(e.contentType(), e.image());
            return withPatientAndOrigin(b, e.patientRef(), e.origin()).build();
        }

        @Override
        protected ScanArrived fromCloudEvent(CloudEvent ce) {
            if (ce.getTime() == null) {
                throw missing("ce_time (the acquisition time)");
            }
            if (ce.getDataContentType() == null || ce.getDataContentType().isBlank()) {
                throw missing("content-type");
            }
            return new ScanArrived(ce.getId(), ce.getSource(), ce.getTime(), blankToNull(ce.getSubject()),
                    ce.getDataContentType(), data(ce), origin(ce));
        }
    };

    public static final EventCodec<ScanRejected> REJECTED = new JsonCodec<>(EventTypes.SCAN_REJECTED,
            ScanRejected.class, EventTypes.INGEST_SOURCE) {
        @Override
        public String key(ScanRejected e) {
            return e.scanId();
        }

        @Override
        protected URI source(ScanRejected e) {
            return URI.create("/scanstream/" + e.stage());
        }
    };

    public static final EventCodec<ScanPrediction> PREDICTED = new JsonCodec<>(EventTypes.SCAN_PREDICTED,
            ScanPrediction.class, EventTypes.INFERENCE_SOURCE) {
        @Override
        public String key(ScanPrediction e) {
            return e.scanId();
        }

        @Override
        protected OffsetDateTime time(ScanPrediction e) {
            return e.predictedAt();
        }
    };

    public static final EventCodec<ScanLabel> LABELLED = new JsonCodec<>(EventTypes.SCAN_LABELLED,
            ScanLabel.class, URI.create("/clinicians")) {
        @Override
        public String key(ScanLabel e) {
            return e.scanId();
        }

        @Override
        protected OffsetDateTime time(ScanLabel e) {
            return e.labelledAt();
        }
    };

    public static final EventCodec<ScanPreprocessed> PREPROCESSED = new EventCodec<>(EventTypes.SCAN_PREPROCESSED) {
        @Override
        public String key(ScanPreprocessed e) {
            return e.scanId();
        }

        @Override
        public CloudEvent toCloudEvent(ScanPreprocessed e) {
            CloudEventBuilder b = CloudEventBuilder.v1().withId(e.scanId()).withSource(EventTypes.INGEST_SOURCE)
                    .withType(eventType()).withTime(e.acquiredAt())
                    .withExtension("device", e.device().toString())
                    .withExtension("contentsha256", e.contentSha256())
                    .withExtension("sourceformat", e.sourceFormat().name())
                    .withExtension("sourcewidth", e.sourceWidth())
                    .withExtension("sourceheight", e.sourceHeight())
                    .withExtension("width", e.image().width())
                    .withExtension("height", e.image().height())
                    .withData(GREY8_MEDIA_TYPE, e.image().pixels());
            return withPatientAndOrigin(b, e.patientPseudonym(), e.origin()).build();
        }

        @Override
        protected ScanPreprocessed fromCloudEvent(CloudEvent ce) {
            int width = intExtension(ce, "width");
            int height = intExtension(ce, "height");
            byte[] pixels = data(ce);
            if (width < 1 || height < 1 || pixels.length != (long) width * height) {
                throw new InvalidEventException(RejectionReason.CORRUPT_IMAGE, "payload of " + pixels.length
                        + " bytes is not a " + width + "x" + height + " grey8 image");
            }
            ImageFormat format;
            try {
                format = ImageFormat.valueOf(requiredExtension(ce, "sourceformat"));
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException(RejectionReason.UNSUPPORTED_FORMAT, "unknown ce_sourceformat");
            }
            return new ScanPreprocessed(ce.getId(), uri(requiredExtension(ce, "device")), requireTime(ce),
                    blankToNull(ce.getSubject()), requiredExtension(ce, "contentsha256"), format,
                    intExtension(ce, "sourcewidth"), intExtension(ce, "sourceheight"),
                    new GreyImage(width, height, pixels), origin(ce));
        }
    };

    public static final EventCodec<ScanEmbedding> EMBEDDED = new EventCodec<>(EventTypes.SCAN_EMBEDDED) {
        @Override
        public String key(ScanEmbedding e) {
            return e.scanId();
        }

        @Override
        public CloudEvent toCloudEvent(ScanEmbedding e) {
            ByteBuffer buffer = ByteBuffer.allocate(e.vector().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(e.vector());
            CloudEventBuilder b = CloudEventBuilder.v1().withId(e.scanId()).withSource(EventTypes.INFERENCE_SOURCE)
                    .withType(eventType()).withTime(e.acquiredAt())
                    .withExtension("device", e.device().toString())
                    .withExtension("backbone", e.backboneId())
                    .withExtension("dim", e.vector().length)
                    .withData(FLOAT32_MEDIA_TYPE, buffer.array());
            return withPatientAndOrigin(b, e.patientPseudonym(), e.origin()).build();
        }

        @Override
        protected ScanEmbedding fromCloudEvent(CloudEvent ce) {
            int dim = intExtension(ce, "dim");
            byte[] bytes = data(ce);
            if (dim < 1 || bytes.length != (long) dim * Float.BYTES) {
                throw new InvalidEventException(RejectionReason.CORRUPT_IMAGE,
                        "payload of " + bytes.length + " bytes is not " + dim + " float32 values");
            }
            float[] vector = new float[dim];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
            return new ScanEmbedding(ce.getId(), uri(requiredExtension(ce, "device")), requireTime(ce),
                    blankToNull(ce.getSubject()), requiredExtension(ce, "backbone"), vector, origin(ce));
        }
    };

    /**
     * A model version: v1 (the head on the bootstrap backbone named by id) or v2 (the head with a reference to its
     * backbone, {@link ModelMetadata#backbone}); both are read.
     */
    public static final EventCodec<ModelPublished> MODEL_PUBLISHED = new EventCodec<>(EventTypes.MODEL_PUBLISHED) {
        @Override
        public String key(ModelPublished e) {
            return ModelPublished.key(e.modelName(), e.version());
        }

        @Override
        protected boolean accepts(String type) {
            return EventTypes.MODEL_PUBLISHED.equals(type) || EventTypes.MODEL_PUBLISHED_V2.equals(type);
        }

        @Override
        public CloudEvent toCloudEvent(ModelPublished e) {
            var metadata = e.artifact().metadata();
            String type = metadata.carriesBackbone() ? EventTypes.MODEL_PUBLISHED_V2 : EventTypes.MODEL_PUBLISHED;
            var builder = CloudEventBuilder.v1().withId(metadata.modelName() + ":" + metadata.version())
                    .withSource(EventTypes.TRAINING_SOURCE).withType(type).withTime(metadata.createdAt())
                    .withSubject(metadata.modelName())
                    .withExtension("modelversion", metadata.version())
                    .withExtension("backbone", metadata.backboneId())
                    .withExtension("sha256", metadata.weightsSha256());
            if (metadata.rollbackOf() != null) {
                builder.withExtension("rollbackof", metadata.rollbackOf());
            }
            return builder.withData(ModelArtifact.MEDIA_TYPE, e.artifact().toBytes()).build();
        }

        @Override
        protected ModelPublished fromCloudEvent(CloudEvent ce) {
            try {
                return new ModelPublished(ModelArtifact.fromBytes(data(ce)));
            } catch (IOException | RuntimeException e) {
                throw new InvalidEventException(RejectionReason.CORRUPT_IMAGE,
                        "model artifact does not parse: " + e.getMessage(), e);
            }
        }
    };

    /**
     * A {@code models.published} record signed by {@code signer}: Ed25519 over the record's value bytes exactly as
     * published (the artifact ZIP: metadata, whose v2 backbone reference names the backbone's sha256 and size, and
     * head weights), carried in {@code ce_signature} (base64) and {@code ce_signaturekeyid}.
     */
    public static ProducerRecord<String, byte[]> signedModelRecord(String topic, ModelPublished event,
                                                                  ModelSigner signer) {
        ProducerRecord<String, byte[]> record = MODEL_PUBLISHED.toRecord(topic, event);
        sign(record.headers(), record.value(), signer);
        return record;
    }

    /** Adds (replacing any) the signature headers over {@code value}. */
    public static void sign(Headers headers, byte[] value, ModelSigner signer) {
        ModelSignature signature = signer.sign(value);
        headers.remove(ModelSignature.SIGNATURE_HEADER);
        headers.remove(ModelSignature.KEY_ID_HEADER);
        headers.add(ModelSignature.SIGNATURE_HEADER, signature.signatureBase64().getBytes(StandardCharsets.UTF_8));
        headers.add(ModelSignature.KEY_ID_HEADER, signature.keyId().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code models.backbones}: one chunk of a backbone's weights, key {@code <backboneId>/<index>}. */
    public static final EventCodec<BackboneChunk> BACKBONE_CHUNK = new EventCodec<>(EventTypes.BACKBONE_CHUNK) {
        @Override
        public String key(BackboneChunk e) {
            return BackboneManifest.chunkKey(e.backboneId(), e.index());
        }

        @Override
        public CloudEvent toCloudEvent(BackboneChunk e) {
            return CloudEventBuilder.v1().withId(key(e)).withSource(EventTypes.TRAINING_SOURCE).withType(eventType())
                    .withTime(OffsetDateTime.now()).withSubject(e.backboneId())
                    .withExtension("index", e.index())
                    .withData(OCTET_STREAM_MEDIA_TYPE, e.bytes()).build();
        }

        @Override
        protected BackboneChunk fromCloudEvent(CloudEvent ce) {
            if (ce.getSubject() == null || ce.getSubject().isBlank()) {
                throw missing("ce_subject (the backbone id)");
            }
            return new BackboneChunk(ce.getSubject(), intExtension(ce, "index"), data(ce));
        }
    };

    /** {@code models.backbones}: a backbone's manifest, key {@code <backboneId>/manifest}, after its chunks. */
    public static final EventCodec<BackboneManifest> BACKBONE_MANIFEST =
            new JsonCodec<>(EventTypes.BACKBONE_MANIFEST, BackboneManifest.class, EventTypes.TRAINING_SOURCE) {
                @Override
                public String key(BackboneManifest e) {
                    return BackboneManifest.manifestKey(e.backboneId());
                }

                @Override
                protected OffsetDateTime time(BackboneManifest e) {
                    return e.createdAt();
                }
            };

    public static final String OCTET_STREAM_MEDIA_TYPE = "application/octet-stream";

    private EventCodecs() {
    }

    /** JSON payload codecs: the public events that other teams' tools read and write. */
    private abstract static class JsonCodec<T> extends EventCodec<T> {
        private final Class<T> type;
        private final URI defaultSource;

        JsonCodec(String eventType, Class<T> type, URI defaultSource) {
            super(eventType);
            this.type = type;
            this.defaultSource = defaultSource;
        }

        protected URI source(T event) {
            return defaultSource;
        }

        protected OffsetDateTime time(T event) {
            return OffsetDateTime.now();
        }

        @Override
        public CloudEvent toCloudEvent(T event) {
            return CloudEventBuilder.v1().withId(key(event)).withSource(source(event)).withType(eventType())
                    .withTime(time(event)).withData(JSON_MEDIA_TYPE, Json.write(event)).build();
        }

        @Override
        protected T fromCloudEvent(CloudEvent ce) {
            try {
                return Json.read(data(ce), type);
            } catch (IOException e) {
                throw new InvalidEventException(RejectionReason.UNSUPPORTED_FORMAT,
                        "payload is not a valid " + type.getSimpleName() + " JSON: " + e.getMessage(), e);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE,
                        "payload is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
    }

    private static OffsetDateTime requireTime(CloudEvent ce) {
        if (ce.getTime() == null) {
            throw missing("ce_time");
        }
        return ce.getTime();
    }

    /** The scan events' optional attributes: absent, not empty, when the scan has no patient or origin. */
    private static CloudEventBuilder withPatientAndOrigin(CloudEventBuilder b, String patient, String origin) {
        if (patient != null) {
            b.withSubject(patient);
        }
        if (origin != null) {
            b.withExtension(Origin.EXTENSION, origin);
        }
        return b;
    }

    private static String origin(CloudEvent ce) {
        try {
            return Origin.checked(EventCodec.optionalExtension(ce, Origin.EXTENSION));
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE, e.getMessage(), e);
        }
    }

    private static URI uri(String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE, "not a URI: " + value, e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static InvalidEventException missing(String what) {
        return new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE, "missing required attribute " + what);
    }
}
