package io.scanstream.ingest.domain;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.privacy.PatientPseudonymizer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ingest logic, without Kafka or Quarkus: each arriving record becomes exactly one outcome, accepted (the
 * preprocessed scan, patient pseudonymised) or rejected (reason and detail). Nothing escapes as an exception:
 * a failure that is not the scan's fault becomes an {@code INTERNAL} rejection.
 *
 * <p>Checks run cheapest first: attributes, declared type, payload size, duplicate, then the decoder (magic
 * bytes, header dimensions, pixels). DICOM records are read first (their SOP Instance UID is the scan id, see
 * {@link DicomIntake}), then checked for duplicates, then preprocessed like every other scan.
 */
public final class IngestPipeline {

    public static final String STAGE = "ingest";

    private final Function<byte[], ScanPreprocessor.Result> preprocessor;
    private final Function<DicomInstance, ScanPreprocessor.Result> dicomPreprocessor;
    private final DicomIntake dicom;
    private final PatientPseudonymizer pseudonymizer;
    private final ScanDeduplicator deduplicator;
    private final IngestPolicy policy;
    private final Observer observer;

    /** Told how long each record took; for metrics. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (outcome, nanos) -> { };

        void processed(IngestOutcome outcome, long nanos);
    }

    /** @param pseudonymisationKey the secret of every pseudonym (patients, DICOM UIDs, STOW seals) */
    public IngestPipeline(IngestPolicy policy, String pseudonymisationKey) {
        this(policy, pseudonymisationKey, Observer.NONE);
    }

    public IngestPipeline(IngestPolicy policy, String pseudonymisationKey, Observer observer) {
        this(policy, pseudonymisationKey, observer, new ScanPreprocessor(policy.limits(), policy.dicomWindowing()));
    }

    private IngestPipeline(IngestPolicy policy, String key, Observer observer, ScanPreprocessor preprocessor) {
        this(policy, key, observer, preprocessor::preprocess, preprocessor::preprocess);
    }

    /** With other preprocessing steps: tests inject failures here. */
    IngestPipeline(IngestPolicy policy, String pseudonymisationKey, Observer observer,
                   Function<byte[], ScanPreprocessor.Result> preprocessor,
                   Function<DicomInstance, ScanPreprocessor.Result> dicomPreprocessor) {
        this.policy = policy;
        this.observer = observer;
        this.preprocessor = preprocessor;
        this.dicomPreprocessor = dicomPreprocessor;
        this.pseudonymizer = new PatientPseudonymizer(pseudonymisationKey);
        this.dicom = new DicomIntake(policy, new DicomPseudonyms(pseudonymisationKey));
        this.deduplicator = new ScanDeduplicator(policy.dedupeCapacity());
    }

    /**
     * Outcomes for a batch, in order. Duplicates inside the batch are caught too. Call {@link #committed} once
     * the outcomes are durably published, so that accepted scans count as seen.
     */
    public List<IngestOutcome> process(List<IncomingScan> batch) {
        List<IngestOutcome> outcomes = new ArrayList<>(batch.size());
        Map<String, String> acceptedInBatch = new HashMap<>();
        for (IncomingScan scan : batch) {
            long start = System.nanoTime();
            IngestOutcome outcome = processOne(scan, acceptedInBatch);
            observer.processed(outcome, System.nanoTime() - start);
            if (outcome instanceof IngestOutcome.Accepted accepted) {
                acceptedInBatch.put(accepted.scanId(), accepted.scan().contentSha256());
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    /** Remembers the accepted scans of a batch whose outcomes are now published. */
    public void committed(List<IngestOutcome> outcomes) {
        for (IngestOutcome outcome : outcomes) {
            if (outcome instanceof IngestOutcome.Accepted accepted) {
                deduplicator.remember(accepted.scanId(), accepted.scan().contentSha256());
            }
        }
    }

    /**
     * Remembers a scan accepted earlier, by this process or another (ingest's durable memory, {@code scans.seen},
     * read back at start and on every partition assignment).
     */
    public void recall(String scanId, String contentSha256) {
        deduplicator.remember(scanId, contentSha256);
    }

    /** How many accepted scan ids are remembered now (bounded by the policy's dedupe capacity). */
    public int remembered() {
        return deduplicator.size();
    }

    private IngestOutcome processOne(IncomingScan received, Map<String, String> acceptedInBatch) {
        IncomingScan scan = received.headers() == null
                ? new IncomingScan(received.key(), new RecordHeaders(), received.payload(), received.location())
                : received;
        int bytes = scan.payload() == null ? 0 : scan.payload().length;
        String scanId = fallbackScanId(scan);
        String source = header(scan, "ce_source").orElse(null);
        try {
            ScanArrived arrived;
            try {
                arrived = EventCodecs.ARRIVED.fromHeaders(scan.headers(), scan.payload());
            } catch (InvalidEventException e) {
                return rejected(scanId, source, Rejection.of(e.reason(), e.getMessage()), bytes);
            }
            scanId = arrived.scanId();
            source = arrived.device().toString();
            Optional<Rejection> refused = checkDeclaredType(arrived);
            if (refused.isEmpty()) {
                refused = checkSize(arrived);
            }
            if (dicom.takes(arrived)) {
                boolean sealed = dicom.sealed(arrived, header(scan, DicomIntake.SEAL_HEADER));
                scanId = dicom.reportedId(arrived, sealed); // from here on, never a raw instance UID
                if (refused.isPresent()) {
                    return rejected(scanId, source, refused.get(), bytes);
                }
                return processDicom(arrived, dicom.read(arrived, sealed), acceptedInBatch, bytes);
            }
            String sha256 = refused.isEmpty() ? Sha256.hex(arrived.image()) : null;
            if (refused.isEmpty()) {
                refused = checkDuplicate(arrived.scanId(), sha256, acceptedInBatch);
            }
            if (refused.isPresent()) {
                return rejected(scanId, source, refused.get(), bytes);
            }
            return preprocess(arrived, sha256, bytes);
        } catch (RuntimeException | Error e) {
            // A bug or an environment failure: the scan is not at fault, but it must still end somewhere. Errors
            // too (an OutOfMemoryError of one decode, a StackOverflowError in a decoder): the scan gets a rejection
            // instead of vanishing with its batch. (Where the JVM runs with -XX:+ExitOnOutOfMemoryError, a heap
            // exhaustion exits instead, and the batch is read again after the restart.)
            return rejected(scanId, source, Rejection.of(RejectionReason.INTERNAL,
                    "ingest failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()), bytes);
        }
    }

    private Optional<Rejection> checkDeclaredType(ScanArrived arrived) {
        Optional<ImageFormat> declared = ImageFormat.fromMediaType(arrived.contentType());
        if (declared.isEmpty() || !declared.get().supported()) {
            return Optional.of(Rejection.of(RejectionReason.UNSUPPORTED_FORMAT,
                    "content-type '" + arrived.contentType() + "' is not supported; send image/png, image/jpeg or "
                            + "application/dicom"));
        }
        return Optional.empty();
    }

    private Optional<Rejection> checkSize(ScanArrived arrived) {
        long max = policy.limits().maxBytes();
        if (arrived.image().length > max) {
            return Optional.of(Rejection.of(RejectionReason.TOO_LARGE,
                    "payload of " + arrived.image().length + " bytes exceeds the limit of " + max + " bytes"));
        }
        return Optional.empty();
    }

    private Optional<Rejection> checkDuplicate(String scanId, String sha256, Map<String, String> acceptedInBatch) {
        String inBatch = acceptedInBatch.get(scanId);
        ScanDeduplicator.Verdict verdict = inBatch != null
                ? (inBatch.equals(sha256) ? ScanDeduplicator.Verdict.SAME_CONTENT : ScanDeduplicator.Verdict.DIFFERENT_CONTENT)
                : deduplicator.check(scanId, sha256);
        return switch (verdict) {
            case NEW -> Optional.empty();
            case SAME_CONTENT -> Optional.of(Rejection.of(RejectionReason.DUPLICATE,
                    "scan " + scanId + " was already accepted with identical content; this delivery is ignored"));
            case DIFFERENT_CONTENT -> Optional.of(Rejection.of(RejectionReason.ID_REUSED,
                    "scan id " + scanId + " was already accepted for different content (an id reused); the scan"
                            + " accepted first keeps the id, its image, embedding and label; send this scan under an"
                            + " id of its own"));
        };
    }

    private IngestOutcome preprocess(ScanArrived arrived, String sha256, int bytes) {
        ScanPreprocessor.Result result = preprocessor.apply(arrived.image());
        if (result instanceof ScanPreprocessor.Result.Rejected rejected) {
            return rejected(arrived.scanId(), arrived.device().toString(), rejected.rejection(), bytes);
        }
        ScanPreprocessor.PreprocessedScan scan = ((ScanPreprocessor.Result.Accepted) result).scan();
        ImageFormat declared = ImageFormat.fromMediaType(arrived.contentType()).orElseThrow();
        if (policy.strictContentType() && declared != scan.sourceFormat()) {
            return rejected(arrived.scanId(), arrived.device().toString(), Rejection.of(RejectionReason.UNSUPPORTED_FORMAT,
                    "declared content-type " + arrived.contentType() + " but the bytes are " + scan.sourceFormat()
                            + "; fix the device's content-type"), bytes);
        }
        String pseudonym = arrived.patient().map(pseudonymizer::pseudonymise).orElse(null);
        ScanPreprocessed preprocessed = new ScanPreprocessed(arrived.scanId(), arrived.device(), arrived.acquiredAt(),
                pseudonym, sha256, scan.sourceFormat(), scan.sourceWidth(), scan.sourceHeight(), scan.image(),
                arrived.origin());
        return new IngestOutcome.Accepted(preprocessed, scan.sourcePixelType(), bytes);
    }

    private IngestOutcome processDicom(ScanArrived arrived, DicomIntake.Read read, Map<String, String> acceptedInBatch,
                                       int bytes) {
        String source = arrived.device().toString();
        if (read instanceof DicomIntake.Refused refused) {
            return rejected(refused.scanId(), source, refused.rejection(), bytes);
        }
        DicomIntake.Ready ready = (DicomIntake.Ready) read;
        Optional<Rejection> duplicate = checkDuplicate(ready.scanId(), ready.contentSha256(), acceptedInBatch);
        if (duplicate.isPresent()) {
            return rejected(ready.scanId(), source, duplicate.get(), bytes);
        }
        ScanPreprocessor.Result result = dicomPreprocessor.apply(ready.instance());
        if (result instanceof ScanPreprocessor.Result.Rejected rejected) {
            return rejected(ready.scanId(), source, rejected.rejection(), bytes);
        }
        ScanPreprocessor.PreprocessedScan scan = ((ScanPreprocessor.Result.Accepted) result).scan();
        ScanPreprocessed preprocessed = new ScanPreprocessed(ready.scanId(), arrived.device(), arrived.acquiredAt(),
                ready.patient(), ready.contentSha256(), scan.sourceFormat(), scan.sourceWidth(), scan.sourceHeight(),
                scan.image());
        return new IngestOutcome.Accepted(preprocessed, scan.sourcePixelType(), bytes, ready.differingSubject());
    }

    private static IngestOutcome rejected(String scanId, String source, Rejection rejection, int bytes) {
        return new IngestOutcome.Rejected(
                new ScanRejected(scanId, source, rejection.reason(), rejection.detail(), STAGE), bytes);
    }

    /** The scan id to report when {@code ce_id} itself is unusable: the key, else the record's location. */
    private static String fallbackScanId(IncomingScan scan) {
        return header(scan, "ce_id")
                .or(() -> Optional.ofNullable(scan.key()).filter(k -> !k.isBlank()))
                .orElse("unidentified:" + scan.location());
    }

    private static Optional<String> header(IncomingScan scan, String name) {
        Header header = scan.headers().lastHeader(name);
        if (header == null || header.value() == null) {
            return Optional.empty();
        }
        String value = new String(header.value(), StandardCharsets.UTF_8);
        return value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
