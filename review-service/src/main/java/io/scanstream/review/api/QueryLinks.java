package io.scanstream.review.api;

import io.scanstream.review.domain.WorklistQuery;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * A worklist query as the pages carry it from link to link (the scan page keeps it for j/k and the way back),
 * and its values for the filter form.
 */
public record QueryLinks(WorklistQuery query) {

    static QueryLinks of(WorklistQuery query) {
        return new QueryLinks(query);
    }

    /** {@code label=...&min=...} without the page. */
    public String params() {
        StringJoiner q = new StringJoiner("&");
        add(q, "label", query.label() == null ? null : query.label().name());
        add(q, "min", query.minProbability() == null ? null : query.minProbability().toString());
        add(q, "max", query.maxProbability() == null ? null : query.maxProbability().toString());
        add(q, "version", query.modelVersion());
        add(q, "device", query.device());
        add(q, "labelled", query.labelled() == null ? null : query.labelled() ? "yes" : "no");
        add(q, "order", query.order().name().toLowerCase(Locale.ROOT));
        if (query.size() != WorklistQuery.DEFAULT_PAGE_SIZE) {
            add(q, "size", Integer.toString(query.size()));
        }
        return q.toString();
    }

    public String page(int page) {
        return "/worklist?" + params() + "&page=" + page;
    }

    public String current() {
        return page(query.page());
    }

    public String label() {
        return query.label() == null ? "" : query.label().name();
    }

    public String min() {
        return query.minProbability() == null ? "" : query.minProbability().toString();
    }

    public String max() {
        return query.maxProbability() == null ? "" : query.maxProbability().toString();
    }

    public String version() {
        return query.modelVersion() == null ? "" : query.modelVersion();
    }

    public String device() {
        return query.device() == null ? "" : query.device();
    }

    public String labelled() {
        return query.labelled() == null ? "" : query.labelled() ? "yes" : "no";
    }

    public String order() {
        return query.order().name().toLowerCase(Locale.ROOT);
    }

    private static void add(StringJoiner q, String name, String value) {
        if (value != null) {
            q.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
