package io.scanstream.inference.domain;

import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.head.ClassificationHead;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The inputs a new version must pass before it takes traffic ({@link ModelVersions}): the last {@code size} model
 * inputs this replica served with a finite outcome (a bounded ring the batch thread fills), topped up with
 * deterministic synthetic scans ({@link SyntheticCtGenerator}, encoded and preprocessed as ingest does) so that a
 * fresh replica validates too. A version whose embedding or probability is NaN or infinite on any of them, or
 * whose forward pass throws, is refused: it never costs a scan an INTERNAL rejection.
 *
 * <p>Only inputs with a finite outcome enter the ring: an input that poisons the backbone itself would otherwise
 * refuse every later version. Thread-safe (the batch thread records, the models' consumer validates).
 */
public final class ValidationBatch {

    /** The default size (inputs per validation), {@code inference.model.validation-batch-size}. */
    public static final int DEFAULT_SIZE = 8;
    /** The synthetic scans' generator seed: fixed, so every replica validates on the same bytes. */
    static final long SYNTHETIC_SEED = 0x5CA9_11L;

    /** Why a network failed validation: {@code reason} is NON_FINITE_OUTPUT or FORWARD_FAILED. */
    public record Failure(ModelVersions.RefusalReason reason, String detail) {
    }

    private final int size;
    private final List<Integer> buckets;
    private final Deque<GreyImage> served = new ArrayDeque<>();
    private List<GreyImage> synthetic;

    /**
     * @param size    inputs per validation (at least 1)
     * @param buckets the batch sizes the backbone runs at (warmed up): the validation pads to one of them
     */
    public ValidationBatch(int size, List<Integer> buckets) {
        if (size < 1) {
            throw new IllegalArgumentException("the validation batch needs at least 1 input "
                    + "(inference.model.validation-batch-size), got " + size);
        }
        if (buckets.isEmpty() || buckets.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("buckets must be positive batch sizes, got " + buckets);
        }
        this.size = size;
        this.buckets = buckets.stream().sorted().distinct().toList();
    }

    public int size() {
        return size;
    }

    /** A model input that was served with a finite outcome; the oldest drops out beyond {@link #size()}. */
    public synchronized void served(GreyImage image) {
        if (served.size() == size) {
            served.removeFirst();
        }
        served.addLast(image);
    }

    /** How many of the inputs are served ones (the rest are synthetic). */
    public synchronized int servedCount() {
        return served.size();
    }

    /** The inputs of the next validation: the served ones, oldest first, then synthetic ones up to {@link #size()}. */
    public List<GreyImage> images() {
        return images(servedSnapshot());
    }

    private synchronized List<GreyImage> servedSnapshot() {
        return new ArrayList<>(served);
    }

    private List<GreyImage> images(List<GreyImage> servedNow) {
        List<GreyImage> images = new ArrayList<>(servedNow);
        List<GreyImage> topUp = synthetic();
        for (int i = 0; images.size() < size; i++) {
            images.add(topUp.get(i));
        }
        return images;
    }

    private synchronized List<GreyImage> synthetic() {
        if (synthetic == null) {
            synthetic = synthetic(size);
        }
        return synthetic;
    }

    /**
     * {@code count} synthetic scans, index 0 up, with the generator's varied sizes, pixel types and formats, through
     * the same decode and resize as ingest's: the same images on every replica and every run.
     */
    public static List<GreyImage> synthetic(int count) {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(SYNTHETIC_SEED);
        ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        List<GreyImage> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ScanPreprocessor.Result result = preprocessor.preprocess(generator.scan(i).bytes());
            if (!(result instanceof ScanPreprocessor.Result.Accepted accepted)) {
                throw new IllegalStateException("synthetic validation scan " + i + " did not preprocess: " + result);
            }
            images.add(accepted.scan().image());
        }
        return images;
    }

    /**
     * Runs the backbone, then the head if any, over {@link #images()}.
     *
     * @return the failure, or empty when every embedding and probability is finite
     */
    public Optional<Failure> check(FeatureExtractor backbone, ClassificationHead head) {
        List<GreyImage> servedNow = servedSnapshot();
        List<GreyImage> images = images(servedNow);
        int servedCount = servedNow.size();
        int chunk = buckets.get(buckets.size() - 1);
        try {
            for (int from = 0; from < images.size(); from += chunk) {
                List<GreyImage> part = images.subList(from, Math.min(images.size(), from + chunk));
                float[][] embeddings;
                // The backbone may be the one in service: the batch thread uses it too, one forward at a time.
                synchronized (backbone) {
                    embeddings = backbone.embed(part, padTo(part.size()));
                }
                double[] probabilities = head == null ? null : head.probabilities(embeddings);
                for (int i = 0; i < part.size(); i++) {
                    int index = from + i;
                    if (!OutputGuard.finite(embeddings[i])) {
                        return Optional.of(new Failure(ModelVersions.RefusalReason.NON_FINITE_OUTPUT,
                                "non-finite embedding from backbone " + backbone.backboneId() + " on "
                                        + describe(index, servedCount)));
                    }
                    if (probabilities != null && !Double.isFinite(probabilities[i])) {
                        return Optional.of(new Failure(ModelVersions.RefusalReason.NON_FINITE_OUTPUT,
                                "non-finite probability (" + probabilities[i] + ") on " + describe(index, servedCount)));
                    }
                }
            }
            return Optional.empty();
        } catch (Throwable e) { // an Error of the natives included: the version is refused, the replica goes on
            return Optional.of(new Failure(ModelVersions.RefusalReason.FORWARD_FAILED,
                    "the forward pass over the validation batch failed: " + e));
        }
    }

    private int padTo(int n) {
        for (int bucket : buckets) {
            if (bucket >= n) {
                return bucket;
            }
        }
        return n;
    }

    private String describe(int index, int servedCount) {
        return "validation input " + (index + 1) + " of " + size + " ("
                + (index < servedCount ? "a served scan" : "synthetic scan " + (index - servedCount)) + ")";
    }
}
