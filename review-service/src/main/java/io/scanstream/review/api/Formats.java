package io.scanstream.review.api;

import io.quarkus.qute.TemplateExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/** How the pages write numbers, times and links: {@code {fmt:p(row.probability)}}. */
@TemplateExtension(namespace = "fmt")
public final class Formats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private Formats() {
    }

    /** A probability or metric with three decimals, "—" when absent. */
    static String p(Object value) {
        if (value instanceof Number n) {
            return String.format(Locale.ROOT, "%.3f", n.doubleValue());
        }
        return value == null ? "—" : value.toString();
    }

    static String time(Object value) {
        if (value instanceof OffsetDateTime t) {
            return TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
        }
        if (value instanceof Instant i) {
            return TIME.format(i.atOffset(ZoneOffset.UTC));
        }
        return value == null ? "—" : value.toString();
    }

    static String url(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A metric of a version's metrics map, with its bootstrap interval where the map has one. */
    @SuppressWarnings("unchecked")
    static String metric(Map<String, Object> metrics, String name) {
        if (metrics == null || !metrics.containsKey(name)) {
            return "—";
        }
        String value = p(metrics.get(name));
        Object intervals = metrics.get("intervals");
        if (intervals instanceof Map<?, ?> map && map.get(name) instanceof Map<?, ?> interval) {
            Object lo = interval.get("lower") != null ? interval.get("lower") : interval.get("low");
            Object hi = interval.get("upper") != null ? interval.get("upper") : interval.get("high");
            if (lo instanceof Number && hi instanceof Number) {
                value += " [" + p(lo) + ", " + p(hi) + "]";
            }
        }
        return value;
    }
}
