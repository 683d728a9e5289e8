package io.scanstream.core.artifact;

import io.scanstream.core.contract.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a consumer checks in a version's metadata before it allocates anything for it (inference does so before a
 * native allocation): the operating threshold finite and in [0, 1], every metric a finite number (rates in
 * [0, 1]), counts not negative, the head's widths positive and within {@link #MAX_WIDTH}, its parameters within
 * what the topic can carry, the sha256s well formed and the backbone's declared size within
 * {@link #MAX_BACKBONE_BYTES}. Plain Java; the weights' own structure is checked against the head's shapes by
 * the model library before it loads them.
 */
public final class ModelMetadataCheck {

    /** Largest feature width or hidden width of a head (MobileNetV2's multi-scale readout is the widest: 1 632). */
    public static final int MAX_WIDTH = 1 << 16;
    public static final int MAX_HIDDEN_LAYERS = 16;
    public static final int MAX_CLASSES = 16;
    /** Largest published backbone a version may name (VGG-19 is about 550 MB). */
    public static final long MAX_BACKBONE_BYTES = Integer.MAX_VALUE;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private ModelMetadataCheck() {
    }

    /** The problems found (empty: valid). */
    public static List<String> problems(ModelMetadata metadata) {
        List<String> problems = new ArrayList<>();
        head(metadata.head(), problems);
        if (!SHA256.matcher(metadata.weightsSha256()).matches()) {
            problems.add("weightsSha256 is not 64 hex digits");
        }
        ModelMetrics metrics = metadata.metrics();
        if (metrics != null) {
            metrics(metrics, problems);
        }
        BackboneRef backbone = metadata.backbone();
        if (backbone != null && backbone.source() == BackboneRef.Source.PUBLISHED) {
            if (backbone.sha256() == null || !SHA256.matcher(backbone.sha256()).matches()) {
                problems.add("backbone.sha256 is not 64 hex digits");
            }
            if (backbone.sizeBytes() < 1 || backbone.sizeBytes() > MAX_BACKBONE_BYTES) {
                problems.add("backbone.sizeBytes " + backbone.sizeBytes() + " is not within [1, "
                        + MAX_BACKBONE_BYTES + "]");
            }
        }
        PreprocessingSpec preprocessing = metadata.preprocessing();
        if (preprocessing != null && (preprocessing.inputSize() < 1 || preprocessing.inputSize() > 4096)) {
            problems.add("preprocessing.inputSize " + preprocessing.inputSize() + " is not within [1, 4096]");
        }
        return problems;
    }

    /** The problems of a head architecture alone (empty: valid). */
    public static List<String> problems(HeadArchitecture head) {
        List<String> problems = new ArrayList<>();
        head(head, problems);
        return problems;
    }

    /** Float parameters a head of this architecture holds (feature statistics, weights and biases). */
    public static long parameterCount(HeadArchitecture head) {
        long count = 2L * head.inputDim(); // feature standardisation: mean and std
        long in = head.inputDim();
        List<Integer> outs = new ArrayList<>(head.hiddenWidths());
        outs.add(head.classes());
        for (long out : outs) {
            count += out * in + out;
            in = out;
        }
        return count;
    }

    private static void head(HeadArchitecture head, List<String> problems) {
        if (head.inputDim() < 1 || head.inputDim() > MAX_WIDTH) {
            problems.add("head.inputDim " + head.inputDim() + " is not within [1, " + MAX_WIDTH + "]");
        }
        if (head.hiddenWidths().size() > MAX_HIDDEN_LAYERS) {
            problems.add("head has " + head.hiddenWidths().size() + " hidden layers, at most " + MAX_HIDDEN_LAYERS);
        }
        for (int width : head.hiddenWidths()) {
            if (width < 1 || width > MAX_WIDTH) {
                problems.add("head hidden width " + width + " is not within [1, " + MAX_WIDTH + "]");
            }
        }
        if (head.classes() < 2 || head.classes() > MAX_CLASSES) {
            problems.add("head.classes " + head.classes() + " is not within [2, " + MAX_CLASSES + "]");
        }
        if (!Double.isFinite(head.dropout()) || head.dropout() < 0 || head.dropout() >= 1) {
            problems.add("head.dropout " + head.dropout() + " is not within [0, 1)");
        }
        if (problems.isEmpty()) {
            long bytes = parameterCount(head) * Float.BYTES;
            if (bytes > Topics.MODEL_MAX_MESSAGE_BYTES) {
                problems.add("head " + head.describe() + " holds " + bytes + " bytes of parameters, more than a "
                        + "version may carry (" + Topics.MODEL_MAX_MESSAGE_BYTES + ")");
            }
        }
    }

    private static void metrics(ModelMetrics m, List<String> problems) {
        rate("metrics.threshold", m.threshold(), problems);
        rate("metrics.auc", m.auc(), problems);
        rate("metrics.accuracy", m.accuracy(), problems);
        rate("metrics.f1", m.f1(), problems);
        rate("metrics.sensitivity", m.sensitivity(), problems);
        rate("metrics.specificity", m.specificity(), problems);
        if (m.trainSize() < 0 || m.validationSize() < 0) {
            problems.add("metrics.trainSize/validationSize are negative");
        }
        ModelMetrics.ConfusionMatrix c = m.confusion();
        if (c != null && (c.truePositives() < 0 || c.falsePositives() < 0 || c.trueNegatives() < 0
                || c.falseNegatives() < 0)) {
            problems.add("metrics.confusion has a negative count");
        }
        for (EpochMetrics e : m.epochs()) {
            finite("metrics.epochs[" + e.epoch() + "].trainLoss", e.trainLoss(), problems);
            finite("metrics.epochs[" + e.epoch() + "].trainAccuracy", e.trainAccuracy(), problems);
            finite("metrics.epochs[" + e.epoch() + "].validationLoss", e.validationLoss(), problems);
            finite("metrics.epochs[" + e.epoch() + "].validationAccuracy", e.validationAccuracy(), problems);
            finite("metrics.epochs[" + e.epoch() + "].learningRate", e.learningRate(), problems);
        }
        ModelMetrics.Intervals i = m.intervals();
        if (i != null) {
            range("metrics.intervals.auc", i.auc(), problems);
            range("metrics.intervals.accuracy", i.accuracy(), problems);
            range("metrics.intervals.sensitivity", i.sensitivity(), problems);
            range("metrics.intervals.specificity", i.specificity(), problems);
            rate("metrics.intervals.level", i.level(), problems);
        }
    }

    private static void range(String name, ModelMetrics.Range range, List<String> problems) {
        if (range != null) {
            rate(name + ".lower", range.lower(), problems);
            rate(name + ".upper", range.upper(), problems);
        }
    }

    /** Null (not computed) or a finite number in [0, 1]. */
    private static void rate(String name, Double value, List<String> problems) {
        if (value != null && (!Double.isFinite(value) || value < 0 || value > 1)) {
            problems.add(name + " " + value + " is not a finite number in [0, 1]");
        }
    }

    private static void finite(String name, Double value, List<String> problems) {
        if (value != null && !Double.isFinite(value)) {
            problems.add(name + " " + value + " is not a finite number");
        }
    }
}
