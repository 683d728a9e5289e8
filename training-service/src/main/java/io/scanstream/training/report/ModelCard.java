package io.scanstream.training.report;

import io.scanstream.learning.report.DataSummary;
import io.scanstream.learning.report.EvaluationFigures;
import io.scanstream.learning.validation.GateDecision;
import io.scanstream.training.domain.RunOutcome;

import java.time.Instant;
import java.util.Map;

/**
 * What a clinician or an auditor needs to know about a version, in one page ({@code card.json}, served at
 * {@link RunReport#cardUri}, referenced from the version's metadata): what it was trained and validated on (counts
 * by class and origin, the split rule), how it did on validation with confidence intervals, where the curves and the
 * ROC are, and what it replaced, or failed to, and why.
 */
public record ModelCard(String modelName, String version, String backboneId, RunOutcome outcome, Instant createdAt,
                        String trainingRun, String splitRule, DataSummary data, EvaluationFigures validation,
                        int epochs, Map<String, String> plots, GateDecision gate, String decision,
                        String reportUri) {

    /** The card of a run that trained a model (published or gated out). */
    public static ModelCard of(RunReport r) {
        return new ModelCard(r.modelName(), r.version(), r.backboneId(), r.outcome(), r.finishedAt(), r.runId(),
                String.valueOf(r.settings().get("splitRule")), r.data(), r.validation(), r.epochs().size(), r.plots(),
                r.gate(), r.detail(), RunReport.uri(r.runId()));
    }
}
