package io.scanstream.core.dataset;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * COVID-CT's COVID slices were cut from preprints, several patients per preprint, one preprint's figure style
 * (resolution, crop, annotations) shared by all of them: the preprint is the origin that leaks between images.
 * The one rule that finds it: a file whose name starts with a medRxiv/bioRxiv id
 * ({@code 2020.02.25.20021568-p23-108.png}).
 */
public final class Preprints {

    private static final Pattern PREPRINT = Pattern.compile("^(\\d{4}\\.\\d{2}\\.\\d{2}\\.\\d+)");

    private Preprints() {
    }

    /** {@code preprint:<id>} for a file cut from a preprint, or empty. */
    public static Optional<String> of(String fileName) {
        Matcher preprint = PREPRINT.matcher(fileName.substring(fileName.lastIndexOf('/') + 1));
        return preprint.find() ? Optional.of("preprint:" + preprint.group(1)) : Optional.empty();
    }
}
