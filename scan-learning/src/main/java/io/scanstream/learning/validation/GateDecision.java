package io.scanstream.learning.validation;

/**
 * The gate's verdict on a challenger.
 *
 * @param publish         whether the challenger becomes the new version
 * @param reason          why, in words (for the report and the log)
 * @param metric          what was compared
 * @param challenger      the challenger's value on the current validation split
 * @param champion        the champion's value, re-scored on the same split with the same rule; null without champion
 * @param championVersion the champion's version, or null
 */
public record GateDecision(boolean publish, String reason, GateMetric metric, Double challenger, Double champion,
                           String championVersion) {
}
