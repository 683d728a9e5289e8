package io.scanstream.learning.validation;

import io.scanstream.learning.evaluate.GroupBootstrap;

/**
 * The gate's verdict on a challenger.
 *
 * @param publish         whether the challenger becomes the new version
 * @param reason          why, in words (for the report, the model card and the log)
 * @param metric          what was compared
 * @param challenger      the challenger's value on the compared rows (its own validation rows without a champion)
 * @param champion        the champion's value on the same rows; null without a comparable champion
 * @param championVersion the champion's version, or null
 * @param comparison      the paired comparison on the shared rows, or null when none was made
 * @param challengerTrainSize labels the challenger was trained on
 * @param championTrainSize   labels the champion was trained on, or null
 */
public record GateDecision(boolean publish, String reason, GateMetric metric, Double challenger, Double champion,
                           String championVersion, GroupBootstrap.Comparison comparison, int challengerTrainSize,
                           Integer championTrainSize) {
}
