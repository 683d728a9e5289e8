package io.scanstream.evaluation;

import io.scanstream.core.dataset.ManifestEntry;
import io.scanstream.core.dataset.ScanManifest;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.learning.data.LabelledImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A labelled data folder's official train and validation lists, every file through the shared preprocessor (what
 * ingest does to a device's bytes). Scan ids are the files' paths relative to the folder, which carry the source
 * (the preprint id) that source-grouped folds need.
 *
 * @param rejected files the preprocessor refused (with their reasons printed)
 */
public record DevelopmentSet(List<LabelledImage> train, List<LabelledImage> validation, int rejected,
                             double preprocessSeconds) {

    /** @param limit 0: everything; else the first N train and max(8, N/4) validation images, classes interleaved */
    public static DevelopmentSet load(Path dataDir, int limit, Results results) throws IOException {
        long start = System.nanoTime();
        ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        int trainLimit = limit > 0 ? limit : Integer.MAX_VALUE;
        int validationLimit = limit > 0 ? Math.max(8, limit / 4) : Integer.MAX_VALUE;
        List<ManifestEntry> entries = new ArrayList<>(ScanManifest.read(dataDir));
        if (limit > 0) {
            interleaveClasses(entries);
        }
        List<LabelledImage> train = new ArrayList<>();
        List<LabelledImage> validation = new ArrayList<>();
        int rejected = 0;
        for (ManifestEntry entry : entries) {
            List<LabelledImage> side = entry.split().equals("train") ? train
                    : entry.split().equals("val") ? validation : null;
            if (side == null || side.size() >= (side == train ? trainLimit : validationLimit)) {
                continue;
            }
            ScanPreprocessor.Result result = preprocessor.preprocess(Files.readAllBytes(entry.file()));
            if (result instanceof ScanPreprocessor.Result.Accepted accepted) {
                side.add(new LabelledImage(dataDir.relativize(entry.file()).toString(), entry.label(),
                        entry.patientId(), accepted.scan().image(), entry.origin()));
            } else {
                rejected++;
                results.line("evaluation.rejected file=%s reason=%s", entry.file().getFileName(),
                        ((ScanPreprocessor.Result.Rejected) result).rejection());
            }
        }
        return new DevelopmentSet(train, validation, rejected, (System.nanoTime() - start) / 1e9);
    }

    /** A smoke run still needs both classes: the k-th COVID, then the k-th non-COVID, per split. */
    private static void interleaveClasses(List<ManifestEntry> entries) {
        Map<ManifestEntry, Integer> order = new IdentityHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (ManifestEntry e : entries) {
            int rank = seen.merge(e.split() + "/" + e.label(), 1, Integer::sum) - 1;
            order.put(e, rank * 2 + e.label().ordinal());
        }
        entries.sort(Comparator.comparingInt(order::get));
    }

    public static long covid(List<LabelledImage> images) {
        return images.stream().filter(LabelledImage::covid).count();
    }
}
