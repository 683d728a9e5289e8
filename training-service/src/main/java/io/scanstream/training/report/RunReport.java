package io.scanstream.training.report;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.ModelMetrics.ConfusionMatrix;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;
import io.scanstream.training.domain.GateDecision;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingMode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run's report ({@code report.json}): what was trained on what, the curves, the evaluation on validation (and
 * on training at the same threshold), the gate's decision, where the plots are, and for full-network runs the
 * artifacts written. Undefined figures (a class missing) are null, never NaN.
 */
public record RunReport(String runId, TrainingMode mode, RunTrigger trigger, RunOutcome outcome, String detail,
                        String modelName, String version, String backboneId, Instant startedAt, Instant finishedAt,
                        double durationSeconds, Map<String, Object> settings, DataSummary data,
                        List<EpochMetrics> epochs, Evaluation validation, Evaluation training, GateDecision gate,
                        Map<String, String> plots, Map<String, Object> artifacts, Map<String, Double> timingsSeconds) {

    /** The documented rule for the operating threshold. */
    public static final String THRESHOLD_RULE = "maximise Youden's J (sensitivity + specificity - 1) over the "
            + "validation scores as candidate thresholds; ties: closest to 0.5, then the lower";

    /**
     * @param examples           training-set rows used (the configured backbone's)
     * @param trainPatients      distinct patients (or patient-less scans) in training
     * @param validationPatients distinct patients in validation; none is in training
     */
    public record DataSummary(int examples, int trainSize, int validationSize, int trainCovid, int validationCovid,
                              int trainPatients, int validationPatients) {
    }

    /** Figures of a head on one split at one threshold. */
    public record Evaluation(Double auc, Double accuracy, Double f1, Double sensitivity, Double specificity,
                             double threshold, String thresholdRule, ConfusionMatrix confusion, List<RocPoint> roc) {

        public static Evaluation of(BinaryEvaluation e, String rule) {
            return new Evaluation(finite(e.auc()), finite(e.accuracy()), finite(e.f1()), finite(e.sensitivity()),
                    finite(e.specificity()), e.threshold(), rule, e.confusion(),
                    e.roc().stream().map(RocPoint::of).toList());
        }
    }

    /** A ROC point; the first point's threshold (+∞) is null. */
    public record RocPoint(Double threshold, double falsePositiveRate, double truePositiveRate) {

        static RocPoint of(RocCurve.Point p) {
            return new RocPoint(Double.isFinite(p.threshold()) ? p.threshold() : null, p.falsePositiveRate(),
                    p.truePositiveRate());
        }
    }

    public static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
