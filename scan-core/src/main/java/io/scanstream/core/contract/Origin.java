package io.scanstream.core.contract;

import java.util.regex.Pattern;

/**
 * The optional {@code ce_origin} attribute of arrivals (contract v1, an extension): what a scan's images share
 * beyond its patient — the site, study or publication it came from — so that validation keeps an origin on one
 * side (images of one origin share a look that a model can learn instead of the disease). Not patient data: a
 * short name, 1–128 characters of letters, digits and {@code . _ : / -}. Ingest carries it to
 * {@code scans.preprocessed}, inference to {@code scans.embeddings}.
 */
public final class Origin {

    public static final String EXTENSION = "origin";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");

    private Origin() {
    }

    /** @return the origin, null for none (blank counts as none) */
    public static String checked(String origin) {
        if (origin == null || origin.isBlank()) {
            return null;
        }
        if (!VALID.matcher(origin).matches()) {
            throw new IllegalArgumentException("ce_origin must be 1-128 characters of letters, digits and ._:/-");
        }
        return origin;
    }
}
