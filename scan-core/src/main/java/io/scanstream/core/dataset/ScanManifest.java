package io.scanstream.core.dataset;

import io.scanstream.core.contract.ClinicalLabel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a data set folder's {@code manifest.csv} ({@code file,label,patient_or_source_id,split,width,height,bytes};
 * labels {@code covid} / {@code noncovid}), as the COVID-CT development split ships it. File names are taken
 * literally: many contain {@code %}, which must not be URL-decoded.
 */
public final class ScanManifest {

    public static final String FILE_NAME = "manifest.csv";
    private static final String HEADER = "file,label,patient_or_source_id,split,width,height,bytes";

    private ScanManifest() {
    }

    public static List<ManifestEntry> read(Path folder) throws IOException {
        Path manifest = folder.resolve(FILE_NAME);
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new IOException(manifest + ": expected header '" + HEADER + "'");
        }
        List<ManifestEntry> entries = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 7) {
                throw new IOException(manifest + ":" + (i + 1) + ": expected 7 fields, got " + f.length);
            }
            try {
                entries.add(new ManifestEntry(folder.resolve(f[0]), label(f[1]), f[2], f[3],
                        Integer.parseInt(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6])));
            } catch (IllegalArgumentException e) {
                throw new IOException(manifest + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return entries;
    }

    private static ClinicalLabel label(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "covid" -> ClinicalLabel.COVID;
            case "noncovid", "non_covid", "non-covid" -> ClinicalLabel.NON_COVID;
            default -> throw new IllegalArgumentException("unknown label '" + value + "'");
        };
    }
}
