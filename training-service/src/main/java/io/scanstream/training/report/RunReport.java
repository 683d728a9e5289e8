package io.scanstream.training.report;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.learning.report.DataSummary;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.validation.GateDecision;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run's report ({@code report.json}): what was trained on what, the curves, the evaluation on validation (and
 * on training at the same threshold), the gate's decision, where the plots are, and for full-network runs the
 * artifacts written. Undefined figures (a class missing) are null, never NaN. Built with {@link #builder}: a run
 * fills in what it got to before it ended.
 */
public record RunReport(String runId, TrainingMode mode, RunTrigger trigger, RunOutcome outcome, String detail,
                        String modelName, String version, String backboneId, Instant startedAt, Instant finishedAt,
                        double durationSeconds, Map<String, Object> settings, DataSummary data,
                        List<EpochMetrics> epochs, EvaluationFigures validation, EvaluationFigures training,
                        GateDecision gate, Map<String, String> plots, Map<String, Object> artifacts,
                        Map<String, Double> timingsSeconds) {

    /** Where the API serves a run's report; plots are below it. */
    public static String uri(String runId) {
        return "/training/runs/" + runId + "/report";
    }

    /** Where the API serves the model card of the version a run produced. */
    public static String cardUri(String runId) {
        return "/training/runs/" + runId + "/card";
    }

    public static Builder builder(TrainingRun run, String modelName, String backboneId, Instant startedAt) {
        return new Builder(run, modelName, backboneId, startedAt);
    }

    /** What a run knows so far; {@link #build} stamps the outcome and the end. Copies are independent. */
    public static final class Builder {
        private final TrainingRun run;
        private final String modelName;
        private final Instant startedAt;
        private String backboneId;
        private String version;
        private Map<String, Object> settings = Map.of();
        private DataSummary data;
        private List<EpochMetrics> epochs = List.of();
        private EvaluationFigures validation;
        private EvaluationFigures training;
        private GateDecision gate;
        private Map<String, String> plots = Map.of();
        private Map<String, Object> artifacts = Map.of();
        private Map<String, Double> timings = Map.of();

        private Builder(TrainingRun run, String modelName, String backboneId, Instant startedAt) {
            this.run = Objects.requireNonNull(run);
            this.modelName = modelName;
            this.backboneId = backboneId;
            this.startedAt = startedAt;
        }

        public Builder backboneId(String id) {
            this.backboneId = id;
            return this;
        }

        public Builder version(String published) {
            this.version = published;
            return this;
        }

        public Builder settings(Map<String, Object> reported) {
            this.settings = new LinkedHashMap<>(reported);
            return this;
        }

        public Builder data(DataSummary summary) {
            this.data = summary;
            return this;
        }

        public Builder epochs(List<EpochMetrics> curves) {
            this.epochs = List.copyOf(curves);
            return this;
        }

        public Builder validation(EvaluationFigures figures) {
            this.validation = figures;
            return this;
        }

        public Builder training(EvaluationFigures figures) {
            this.training = figures;
            return this;
        }

        public Builder gate(GateDecision decision) {
            this.gate = decision;
            return this;
        }

        /** Plot file names (e.g. {@code loss.png}) as links under the report's URI. */
        public Builder plots(Iterable<String> fileNames) {
            Map<String, String> links = new LinkedHashMap<>();
            for (String name : fileNames) {
                links.put(name.substring(0, name.length() - ".png".length()), uri(run.id()) + "/" + name);
            }
            this.plots = links;
            return this;
        }

        public Builder artifacts(Map<String, Object> written) {
            this.artifacts = new LinkedHashMap<>(written);
            return this;
        }

        public Builder timings(Map<String, Double> seconds) {
            this.timings = new LinkedHashMap<>(seconds);
            return this;
        }

        public RunReport build(RunOutcome outcome, String detail, Instant finishedAt) {
            return new RunReport(run.id(), run.mode(), run.trigger(), outcome, detail, modelName, version, backboneId,
                    startedAt, finishedAt, Duration.between(startedAt, finishedAt).toMillis() / 1000.0, settings, data,
                    epochs, validation, training, gate, plots, artifacts, timings);
        }
    }
}
