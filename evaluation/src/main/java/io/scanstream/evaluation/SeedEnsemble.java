package io.scanstream.evaluation;

import io.scanstream.evaluation.experiments.FineTuneCrossValidation;
import io.scanstream.model.metrics.BinaryMetrics;
import io.scanstream.model.metrics.RocCurve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Averaging versions, measured from scores already computed: the held-out scores that {@code finetune-cv} and
 * {@code finetune-val} write to {@code scores.csv}, one run per fine-tuning seed, are
 * averaged per scan across the seeds (an ensemble of networks fine-tuned on the same labels, as the last K versions
 * would be if served together) and scored against the seeds alone, fold by fold. The ensemble's threshold is the mean
 * of the members' thresholds, each chosen without the held-out scans. Only scans every seed scored are used. Beside
 * each accuracy, the accuracy at a fixed threshold of 0.5 (the head's probability read as it is): another threshold
 * rule, judged the same way.
 *
 * <pre>
 * evaluation/run ensemble RUN_DIR/scores.csv ...
 * </pre>
 */
public final class SeedEnsemble {

    /** One held-out group (a fold, or the validation split) under one readout: seeds alone and their average. */
    public record Row(String where, String variant, List<Long> seeds, double[] seedAucs, double ensembleAuc,
                      double[] seedAccuracies, double ensembleAccuracy, double[] seedAccuraciesAtHalf,
                      double ensembleAccuracyAtHalf, int scans) {

        public double seedMeanAuc() {
            return Statistics.mean(seedAucs);
        }

        public double gain() {
            return ensembleAuc - seedMeanAuc();
        }
    }

    private record Score(boolean covid, double score, double threshold) {
    }

    /** where → variant → seed → scan id → score. */
    private final Map<String, Map<String, Map<Long, Map<String, Score>>>> scores = new TreeMap<>();

    public static SeedEnsemble read(List<Path> files) throws IOException {
        SeedEnsemble ensemble = new SeedEnsemble();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split(",");
                if (c.length != 8) {
                    throw new IllegalArgumentException(file + ": not a scores row: " + line);
                }
                if (c[1].endsWith(FineTuneCrossValidation.INNER_SIDE)) {
                    continue; // threshold rows, not held-out scores
                }
                ensemble.scores.computeIfAbsent(c[1], k -> new TreeMap<>())
                        .computeIfAbsent(c[3], k -> new TreeMap<>())
                        .computeIfAbsent(Long.parseLong(c[2]), k -> new LinkedHashMap<>())
                        .put(c[4], new Score(c[5].equals("1"), Double.parseDouble(c[6]), Double.parseDouble(c[7])));
            }
        }
        return ensemble;
    }

    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        scores.forEach((where, byVariant) -> byVariant.forEach((variant, bySeed) -> {
            List<Long> seeds = new ArrayList<>(bySeed.keySet());
            List<String> shared = new ArrayList<>(bySeed.get(seeds.get(0)).keySet());
            bySeed.values().forEach(s -> shared.retainAll(s.keySet()));
            boolean[] covid = new boolean[shared.size()];
            double[] mean = new double[shared.size()];
            double threshold = 0;
            double[] seedAucs = new double[seeds.size()];
            double[] seedAccuracies = new double[seeds.size()];
            double[] seedAccuraciesAtHalf = new double[seeds.size()];
            for (int k = 0; k < seeds.size(); k++) {
                Map<String, Score> run = bySeed.get(seeds.get(k));
                double[] s = new double[shared.size()];
                for (int i = 0; i < s.length; i++) {
                    Score score = run.get(shared.get(i));
                    covid[i] = score.covid();
                    s[i] = score.score();
                    mean[i] += score.score() / seeds.size();
                }
                // one threshold per run and fold: its head's, chosen without the held-out scans
                double own = run.get(shared.get(0)).threshold();
                threshold += own / seeds.size();
                seedAucs[k] = RocCurve.of(s, covid).auc();
                seedAccuracies[k] = accuracy(s, covid, own);
                seedAccuraciesAtHalf[k] = accuracy(s, covid, 0.5);
            }
            rows.add(new Row(where, variant, seeds, seedAucs, RocCurve.of(mean, covid).auc(), seedAccuracies,
                    accuracy(mean, covid, threshold), seedAccuraciesAtHalf, accuracy(mean, covid, 0.5),
                    shared.size()));
        }));
        return rows;
    }

    private static double accuracy(double[] scores, boolean[] covid, double threshold) {
        return BinaryMetrics.accuracy(BinaryMetrics.confusion(scores, covid, threshold));
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: evaluation/run ensemble SCORES_CSV...");
            System.exit(2);
        }
        List<Row> rows = read(Arrays.stream(args).map(Path::of).toList()).rows();
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "ensemble %s variant=%s seeds=%s scans=%d seedAucs=%s seedMean=%.3f"
                            + " ensembleAuc=%.3f gain=%+.3f seedAccuracyMean=%.3f ensembleAccuracy=%.3f"
                            + " atHalf: seedAccuracyMean=%.3f ensembleAccuracy=%.3f%n", r.where(),
                    r.variant(), r.seeds(), r.scans(), rounded(r.seedAucs()), r.seedMeanAuc(), r.ensembleAuc(),
                    r.gain(), Statistics.mean(r.seedAccuracies()), r.ensembleAccuracy(),
                    Statistics.mean(r.seedAccuraciesAtHalf()), r.ensembleAccuracyAtHalf());
        }
        // The summary covers only groups with two or more seeds: a lone seed's "average" is itself, gain 0.
        Map<String, List<Row>> byVariant = new TreeMap<>();
        rows.stream().filter(r -> r.seeds().size() > 1)
                .forEach(r -> byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r));
        byVariant.forEach((variant, groups) -> {
            double[] seedMean = groups.stream().mapToDouble(Row::seedMeanAuc).toArray();
            double[] ensemble = groups.stream().mapToDouble(Row::ensembleAuc).toArray();
            double[] gain = groups.stream().mapToDouble(Row::gain).toArray();
            System.out.printf(Locale.ROOT, "ensemble summary variant=%s groups=%d seedMeanAuc=%.3f±%.3f"
                            + " ensembleAuc=%.3f±%.3f gain=%+.3f[%+.3f,%+.3f] won=%d/%d seedAccuracy=%.3f"
                            + " ensembleAccuracy=%.3f atHalf: seedAccuracy=%.3f ensembleAccuracy=%.3f%n", variant,
                    groups.size(), Statistics.mean(seedMean), Statistics.sd(seedMean), Statistics.mean(ensemble),
                    Statistics.sd(ensemble), Statistics.mean(gain), Arrays.stream(gain).min().orElse(Double.NaN),
                    Arrays.stream(gain).max().orElse(Double.NaN), Arrays.stream(gain).filter(g -> g > 0).count(),
                    groups.size(), groups.stream().mapToDouble(g -> Statistics.mean(g.seedAccuracies())).average()
                            .orElse(Double.NaN), groups.stream().mapToDouble(Row::ensembleAccuracy).average()
                            .orElse(Double.NaN), groups.stream().mapToDouble(g -> Statistics.mean(
                            g.seedAccuraciesAtHalf())).average().orElse(Double.NaN),
                    groups.stream().mapToDouble(Row::ensembleAccuracyAtHalf).average().orElse(Double.NaN));
        });
    }

    private static String rounded(double[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", values[i]));
        }
        return s.append(']').toString();
    }
}
