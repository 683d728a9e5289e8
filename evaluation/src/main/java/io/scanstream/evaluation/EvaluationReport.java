package io.scanstream.evaluation;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.learning.report.EvaluationFigures;

import java.util.List;
import java.util.Map;

/**
 * One configuration of the offline evaluation ({@code report.json} in its folder): what was trained, the curves,
 * the official validation split's figures, and the timings.
 *
 * @param configuration  e.g. {@code frozen-imagenet}, {@code fine-tuned-imagenet}, {@code scratch}
 * @param description    in words
 * @param backboneId     the backbone the figures are for
 * @param accuracyAtHalf validation accuracy at P ≥ 0.5 (no threshold tuning), for comparison
 * @param perSeed        for head-only runs: AUC / accuracy / F1 of each seed
 */
public record EvaluationReport(String configuration, String description, String backboneId, int trainSize,
                               int validationSize, Map<String, Object> settings, List<EpochMetrics> epochs,
                               EvaluationFigures validation, Double accuracyAtHalf,
                               List<Map<String, Object>> perSeed, Map<String, Double> timingsSeconds,
                               Map<String, Object> extra) {
}
