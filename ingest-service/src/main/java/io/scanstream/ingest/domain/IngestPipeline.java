package io.scanstream.ingest.domain;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.HeaderValues;
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
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The ingest logic, without Kafka or Quarkus: each arriving record becomes exactly one outcome, accepted (the
 * preprocessed scan, patient pseudonymised) or rejected (reason and detail). Nothing escapes as an exception:
 * a failure that is not the scan's fault becomes an {@code INTERNAL} rejection.
 *
 * <p>Checks run cheapest first: attributes, declared type, payload size, duplicate, then the decoder (magic
 * bytes, header dimensions, pixels). DICOM records are read first (their SOP Instance UID is the scan id, see
 * {@link DicomIntake}), then checked for duplicates, then preprocessed like every other scan.
 *
 * <p>The decodes of a batch (the expensive part) may run in parallel on an executor the caller owns; everything
 * that depends on record order runs on the calling thread, so the outcomes are the same at any parallelism.
 */
public final class IngestPipeline {

    public static final String STAGE = "ingest";

    /** Runs each decode on the calling thread, one after another: parallelism 1. */
    public static final Executor ON_CALLING_THREAD = Runnable::run;

    private final Function<byte[], ScanPreprocessor.Result> preprocessor;
    private final Function<DicomInstance, ScanPreprocessor.Result> dicomPreprocessor;
    private final DicomIntake dicom;
    private final PatientPseudonymizer pseudonymizer;
    private final ScanDeduplicator deduplicator;
    private final IngestPolicy policy;
    private final Observer observer;
    private final Executor decodeExecutor;

    /**
     * Told how much work each record took (its checks plus its decode, on whichever thread ran it; not the time it
     * waited for a decode worker); for metrics. Called on the thread that called {@link #process}, in record order.
     */
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
        this(policy, pseudonymisationKey, observer, ON_CALLING_THREAD);
    }

    /**
     * @param decodeExecutor runs the decodes of a batch (a bounded pool for parallel decoding, or
     *                       {@link #ON_CALLING_THREAD}); owned by the caller, who shuts it down. Each running decode
     *                       may hold up to {@code policy.limits().maxRasterBytes()} of raster.
     */
    public IngestPipeline(IngestPolicy policy, String pseudonymisationKey, Observer observer, Executor decodeExecutor) {
        this(policy, pseudonymisationKey, observer, new ScanPreprocessor(policy.limits(), policy.dicomWindowing()),
                decodeExecutor);
    }

    private IngestPipeline(IngestPolicy policy, String key, Observer observer, ScanPreprocessor preprocessor,
                           Executor decodeExecutor) {
        this(policy, key, observer, preprocessor::preprocess, preprocessor::preprocess, decodeExecutor);
    }

    /** With other preprocessing steps: tests inject failures here. */
    IngestPipeline(IngestPolicy policy, String pseudonymisationKey, Observer observer,
                   Function<byte[], ScanPreprocessor.Result> preprocessor,
                   Function<DicomInstance, ScanPreprocessor.Result> dicomPreprocessor) {
        this(policy, pseudonymisationKey, observer, preprocessor, dicomPreprocessor, ON_CALLING_THREAD);
    }

    /** With other preprocessing steps on the given executor (the preprocessing functions must be thread-safe). */
    IngestPipeline(IngestPolicy policy, String pseudonymisationKey, Observer observer,
                   Function<byte[], ScanPreprocessor.Result> preprocessor,
                   Function<DicomInstance, ScanPreprocessor.Result> dicomPreprocessor, Executor decodeExecutor) {
        this.policy = policy;
        this.observer = observer;
        this.preprocessor = preprocessor;
        this.dicomPreprocessor = dicomPreprocessor;
        this.decodeExecutor = java.util.Objects.requireNonNull(decodeExecutor, "decodeExecutor");
        this.pseudonymizer = new PatientPseudonymizer(pseudonymisationKey);
        this.dicom = new DicomIntake(policy, new DicomPseudonyms(pseudonymisationKey));
        this.deduplicator = new ScanDeduplicator(policy.dedupeCapacity());
    }

    /**
     * Outcomes for a batch, in order. Duplicates inside the batch are caught too. Call {@link #committed} once
     * the outcomes are durably published, so that accepted scans count as seen.
     *
     * <p>Three steps, so that decoding may run in parallel while the outcomes stay exactly those of handling the
     * records one after another: (1) on the calling thread, in record order, everything whose answer depends on
     * order (attributes, checks, DICOM intake, duplicates against the durable memory) leaves each record either a
     * final outcome or a preprocessing task; (2) the tasks run on the decode executor; (3) the outcomes are
     * assembled in record order, where a record whose id an earlier task of the batch also claimed is judged
     * against what that task became (the first of two same-id scans wins only if it is accepted, as before).
     *
     * @throws IllegalStateException when the calling thread is interrupted while waiting for the decodes (the batch
     *                               then has no outcomes: its transaction fails and it is read again)
     */
    public List<IngestOutcome> process(List<IncomingScan> batch) {
        int size = batch.size();
        List<Step> steps = new ArrayList<>(size);
        long[] nanos = new long[size];
        Set<String> claimed = new HashSet<>();
        for (int i = 0; i < size; i++) {
            long start = System.nanoTime();
            Step step = decide(batch.get(i), claimed);
            nanos[i] = System.nanoTime() - start;
            steps.add(step);
        }
        List<CompletableFuture<Timed>> running = new ArrayList<>(size);
        for (Step step : steps) {
            running.add(step instanceof Pending pending
                    ? CompletableFuture.supplyAsync(pending.task()::run, decodeExecutor) : null);
        }
        List<IngestOutcome> outcomes = new ArrayList<>(size);
        Map<String, String> acceptedInBatch = new HashMap<>();
        for (int i = 0; i < size; i++) {
            Step step = steps.get(i);
            Timed timed;
            if (step instanceof Decided decided) {
                timed = new Timed(decided.outcome(), 0);
            } else if (step instanceof Pending pending) {
                timed = await(running.get(i), pending.task(), running);
            } else {
                timed = resolve((Contingent) step, acceptedInBatch);
            }
            IngestOutcome outcome = timed.outcome();
            // the scan's own work: its checks plus its decode, on whichever thread ran it (not time queued)
            observer.processed(outcome, nanos[i] + timed.nanos());
            if (outcome instanceof IngestOutcome.Accepted accepted) {
                acceptedInBatch.put(accepted.scanId(), accepted.scan().contentSha256());
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    /** What the ordered pass left for one record. */
    private sealed interface Step permits Decided, Pending, Contingent { }

    /** Rejected before any decoding. */
    private record Decided(IngestOutcome outcome) implements Step { }

    /** Passed every check (duplicates included): only its decode is left, which may run on any thread. */
    private record Pending(Task task) implements Step { }

    /**
     * An earlier record of the batch claimed the same id and is still being decoded: whether this one is a
     * duplicate depends on whether that one is accepted, so it is judged (and, if new, decoded) in the assembly
     * step. Rare: a device that resends within one poll.
     */
    private record Contingent(String scanId, String sha256, String position, Task task) implements Step { }

    /** One scan's decode and what follows it; never throws (a failure is an {@code INTERNAL} rejection). */
    private record Task(String scanId, String source, int bytes, Supplier<IngestOutcome> work) {
        Timed run() {
            long start = System.nanoTime();
            IngestOutcome outcome;
            try {
                outcome = work.get();
            } catch (RuntimeException | Error e) {
                outcome = internal(scanId, source, e, bytes);
            }
            return new Timed(outcome, System.nanoTime() - start);
        }
    }

    private record Timed(IngestOutcome outcome, long nanos) { }

    private static Timed await(CompletableFuture<Timed> future, Task task, List<CompletableFuture<Timed>> running) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.stream().filter(f -> f != null).forEach(f -> f.cancel(false));
            throw new IllegalStateException("interrupted while the batch's scans were being decoded", e);
        } catch (ExecutionException | CancellationException e) {
            // Task.run catches what a decode throws; this is whatever got past it.
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return new Timed(internal(task.scanId(), task.source(), cause, task.bytes()), 0);
        }
    }

    /**
     * Remembers the accepted scans of a batch whose outcomes are reported published, each with the record it came from:
     * a report that can be wrong (see {@link ScanDeduplicator#remember}), so the very same record read again is still
     * judged new.
     */
    public void committed(List<IngestOutcome> outcomes) {
        for (IngestOutcome outcome : outcomes) {
            if (outcome instanceof IngestOutcome.Accepted accepted) {
                deduplicator.remember(accepted.scanId(), accepted.scan().contentSha256(), accepted.position());
            }
        }
    }

    /**
     * Remembers a scan accepted earlier, by this process or another (ingest's durable memory, {@code scans.seen},
     * read back at start and on every partition assignment).
     */
    public void recall(String scanId, String contentSha256) {
        deduplicator.recall(scanId, contentSha256);
    }

    /** How many accepted scan ids are remembered now (bounded by the policy's dedupe capacity). */
    public int remembered() {
        return deduplicator.size();
    }

    /**
     * The ordered part of one record: everything up to its decode. {@code claimed} holds the ids of the batch's
     * earlier records that went on to be decoded (only those can be accepted, so only those can make this one an
     * in-batch duplicate).
     */
    private Step decide(IncomingScan received, Set<String> claimed) {
        IncomingScan scan = received.headers() == null
                ? new IncomingScan(received.key(), new RecordHeaders(), received.payload(), received.location())
                : received;
        int bytes = scan.payload() == null ? 0 : scan.payload().length;
        String scanId = fallbackScanId(scan);
        String source = header(scan, "ce_source").orElse(null);
        String position = scan.position();
        try {
            ScanArrived arrived;
            try {
                arrived = EventCodecs.ARRIVED.fromHeaders(scan.headers(), scan.payload());
            } catch (InvalidEventException e) {
                return decided(scanId, source, Rejection.of(e.reason(), e.getMessage()), bytes);
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
                    return decided(scanId, source, refused.get(), bytes);
                }
                DicomIntake.Read read = dicom.read(arrived, sealed);
                if (read instanceof DicomIntake.Refused dicomRefused) {
                    return decided(dicomRefused.scanId(), source, dicomRefused.rejection(), bytes);
                }
                DicomIntake.Ready ready = (DicomIntake.Ready) read;
                return toDecode(ready.scanId(), ready.contentSha256(), position, claimed,
                        new Task(ready.scanId(), source, bytes, () -> preprocessDicom(arrived, ready, bytes, position)));
            }
            if (refused.isPresent()) {
                return decided(scanId, source, refused.get(), bytes);
            }
            String sha256 = Sha256.hex(arrived.image());
            return toDecode(arrived.scanId(), sha256, position, claimed,
                    new Task(arrived.scanId(), source, bytes, () -> preprocess(arrived, sha256, bytes, position)));
        } catch (RuntimeException | Error e) {
            // A bug or an environment failure: the scan is not at fault, but it must still end somewhere. Errors
            // too (an OutOfMemoryError of one decode, a StackOverflowError in a decoder): the scan gets a rejection
            // instead of vanishing with its batch. (Where the JVM runs with -XX:+ExitOnOutOfMemoryError, a heap
            // exhaustion exits instead, and the batch is read again after the restart.) Task.run does the same for
            // the decode itself.
            return new Decided(internal(scanId, source, e, bytes));
        }
    }

    /** A scan that passed its checks: decoded at once unless an earlier record of the batch claims its id. */
    private Step toDecode(String scanId, String sha256, String position, Set<String> claimed, Task task) {
        if (!claimed.add(scanId)) {
            return new Contingent(scanId, sha256, position, task);
        }
        // No earlier record of the batch can be accepted under this id: only the durable memory can object.
        Optional<Rejection> duplicate = checkDuplicate(scanId, sha256, position, Map.of());
        if (duplicate.isPresent()) {
            claimed.remove(scanId);
            return new Decided(rejected(scanId, task.source(), duplicate.get(), task.bytes()));
        }
        return new Pending(task);
    }

    /** Judged once every earlier record's outcome is known, exactly as the one-by-one pass judged it. */
    private Timed resolve(Contingent contingent, Map<String, String> acceptedInBatch) {
        Task task = contingent.task();
        long start = System.nanoTime();
        Optional<Rejection> duplicate;
        try {
            duplicate = checkDuplicate(contingent.scanId(), contingent.sha256(), contingent.position(),
                    acceptedInBatch);
        } catch (RuntimeException | Error e) {
            return new Timed(internal(task.scanId(), task.source(), e, task.bytes()), System.nanoTime() - start);
        }
        if (duplicate.isPresent()) {
            return new Timed(rejected(task.scanId(), task.source(), duplicate.get(), task.bytes()),
                    System.nanoTime() - start);
        }
        // The earlier same-id scan was rejected: this one is new after all, and is decoded here.
        return task.run();
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

    private Optional<Rejection> checkDuplicate(String scanId, String sha256, String position,
                                               Map<String, String> acceptedInBatch) {
        String inBatch = acceptedInBatch.get(scanId);
        ScanDeduplicator.Verdict verdict = inBatch != null
                ? (inBatch.equals(sha256) ? ScanDeduplicator.Verdict.SAME_CONTENT : ScanDeduplicator.Verdict.DIFFERENT_CONTENT)
                : deduplicator.check(scanId, sha256, position);
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

    private IngestOutcome preprocess(ScanArrived arrived, String sha256, int bytes, String position) {
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
        return new IngestOutcome.Accepted(preprocessed, scan.sourcePixelType(), bytes, null, position);
    }

    /** The decode of a DICOM scan that passed intake and the duplicate check. */
    private IngestOutcome preprocessDicom(ScanArrived arrived, DicomIntake.Ready ready, int bytes, String position) {
        String source = arrived.device().toString();
        ScanPreprocessor.Result result = dicomPreprocessor.apply(ready.instance());
        if (result instanceof ScanPreprocessor.Result.Rejected rejected) {
            return rejected(ready.scanId(), source, rejected.rejection(), bytes);
        }
        ScanPreprocessor.PreprocessedScan scan = ((ScanPreprocessor.Result.Accepted) result).scan();
        ScanPreprocessed preprocessed = new ScanPreprocessed(ready.scanId(), arrived.device(), arrived.acquiredAt(),
                ready.patient(), ready.contentSha256(), scan.sourceFormat(), scan.sourceWidth(), scan.sourceHeight(),
                scan.image());
        return new IngestOutcome.Accepted(preprocessed, scan.sourcePixelType(), bytes, ready.differingSubject(),
                position);
    }

    private static Step decided(String scanId, String source, Rejection rejection, int bytes) {
        return new Decided(rejected(scanId, source, rejection, bytes));
    }

    private static IngestOutcome internal(String scanId, String source, Throwable e, int bytes) {
        return rejected(scanId, source, Rejection.of(RejectionReason.INTERNAL,
                "ingest failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()), bytes);
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
        return Optional.ofNullable(HeaderValues.nonBlank(scan.headers(), name));
    }
}
