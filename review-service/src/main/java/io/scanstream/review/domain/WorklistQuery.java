package io.scanstream.review.domain;

import io.scanstream.core.contract.PredictedLabel;

import java.util.Locale;
import java.util.Optional;

/**
 * What a radiologist asks of the worklist. Every filter is optional; {@link #parse} turns the page's query
 * parameters into one and refuses bad values with a message that names the parameter.
 *
 * @param label         predicted label, or null for all
 * @param minProbability lower bound of P(COVID), inclusive, or null
 * @param maxProbability upper bound of P(COVID), inclusive, or null
 * @param modelVersion  only this version, or null
 * @param device        only this device URI, or null
 * @param labelled      true: labelled only; false: unlabelled only; null: both
 * @param order         newest first or uncertain first
 * @param page          0-based page
 * @param size          rows per page, 1..{@value #MAX_PAGE_SIZE}
 */
public record WorklistQuery(PredictedLabel label, Double minProbability, Double maxProbability, String modelVersion,
                            String device, Boolean labelled, Order order, int page, int size) {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;

    public enum Order {
        /** Newest prediction first. */
        NEWEST,
        /** Closest to the version's threshold first (|p - threshold| ascending), then newest. */
        UNCERTAIN
    }

    public WorklistQuery {
        if (minProbability != null && (minProbability.isNaN() || minProbability < 0 || minProbability > 1)) {
            throw new IllegalArgumentException("min must be in [0, 1], got " + minProbability);
        }
        if (maxProbability != null && (maxProbability.isNaN() || maxProbability < 0 || maxProbability > 1)) {
            throw new IllegalArgumentException("max must be in [0, 1], got " + maxProbability);
        }
        if (minProbability != null && maxProbability != null && minProbability > maxProbability) {
            throw new IllegalArgumentException("min (" + minProbability + ") is above max (" + maxProbability + ")");
        }
        if (page < 0) {
            throw new IllegalArgumentException("page must be >= 0, got " + page);
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("size must be in 1.." + MAX_PAGE_SIZE + ", got " + size);
        }
        if (order == null) {
            order = Order.NEWEST;
        }
        modelVersion = blankToNull(modelVersion);
        device = blankToNull(device);
    }

    public static WorklistQuery all() {
        return new WorklistQuery(null, null, null, null, null, null, Order.NEWEST, 0, DEFAULT_PAGE_SIZE);
    }

    /** From the page's query parameters (each may be null or blank = not given). */
    public static WorklistQuery parse(String label, String min, String max, String version, String device,
                                      String labelled, String order, String page, String size) {
        return new WorklistQuery(
                parseLabel(label), parseDouble("min", min), parseDouble("max", max), version, device,
                parseLabelled(labelled), parseOrder(order),
                parseInt("page", page, 0), parseInt("size", size, DEFAULT_PAGE_SIZE));
    }

    public WorklistQuery withPage(int page) {
        return new WorklistQuery(label, minProbability, maxProbability, modelVersion, device, labelled, order, page, size);
    }

    boolean matches(ScanRow row) {
        if (label != null && row.predicted() != label) {
            return false;
        }
        if ((minProbability != null || maxProbability != null) && row.probability() == null) {
            return false;
        }
        if (minProbability != null && row.probability() < minProbability) {
            return false;
        }
        if (maxProbability != null && row.probability() > maxProbability) {
            return false;
        }
        if (modelVersion != null && !modelVersion.equals(row.modelVersion())) {
            return false;
        }
        if (device != null && !device.equals(row.device())) {
            return false;
        }
        return labelled == null || labelled == row.labelled();
    }

    private static PredictedLabel parseLabel(String value) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return PredictedLabel.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("label must be COVID, NON_COVID or UNDETERMINED, got '" + value + "'");
        }
    }

    private static Boolean parseLabelled(String value) {
        return switch (Optional.ofNullable(blankToNull(value)).map(v -> v.toLowerCase(Locale.ROOT)).orElse("")) {
            case "" , "any" -> null;
            case "yes", "true" -> Boolean.TRUE;
            case "no", "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("labelled must be yes, no or any, got '" + value + "'");
        };
    }

    private static Order parseOrder(String value) {
        if (blankToNull(value) == null) {
            return Order.NEWEST;
        }
        try {
            return Order.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("order must be newest or uncertain, got '" + value + "'");
        }
    }

    private static Double parseDouble(String name, String value) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return Double.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number in [0, 1], got '" + value + "'");
        }
    }

    private static int parseInt(String name, String value, int fallback) {
        if (blankToNull(value) == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
