package io.scanstream.evaluation;

import io.scanstream.model.metrics.RocCurve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
                int right = 0;
                int rightAtHalf = 0;
                for (int i = 0; i < s.length; i++) {
                    Score score = run.get(shared.get(i));
                    covid[i] = score.covid();
                    s[i] = score.score();
                    mean[i] += score.score() / seeds.size();
                    right += (score.score() >= score.threshold()) == score.covid() ? 1 : 0;
                    rightAtHalf += (score.score() >= 0.5) == score.covid() ? 1 : 0;
                }
                threshold += run.get(shared.get(0)).threshold() / seeds.size();
                seedAucs[k] = RocCurve.of(s, covid).auc();
                seedAccuracies[k] = (double) right / s.length;
                seedAccuraciesAtHalf[k] = (double) rightAtHalf / s.length;
            }
            int right = 0;
            int rightAtHalf = 0;
            for (int i = 0; i < mean.length; i++) {
                right += (mean[i] >= threshold) == covid[i] ? 1 : 0;
                rightAtHalf += (mean[i] >= 0.5) == covid[i] ? 1 : 0;
            }
            rows.add(new Row(where, variant, seeds, seedAucs, RocCurve.of(mean, covid).auc(), seedAccuracies,
                    (double) right / mean.length, seedAccuraciesAtHalf, (double) rightAtHalf / mean.length,
                    shared.size()));
        }));
        return rows;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: evaluation/run ensemble SCORES_CSV...");
            System.exit(2);
        }
        List<Row> rows = read(java.util.Arrays.stream(args).map(Path::of).toList()).rows();
        Map<String, List<double[]>> byVariant = new TreeMap<>();
        for (Row r : rows) {
            double seedMean = Statistics.mean(r.seedAucs());
            System.out.printf(Locale.ROOT, "ensemble %s variant=%s seeds=%s scans=%d seedAucs=%s seedMean=%.3f"
                            + " ensembleAuc=%.3f gain=%+.3f seedAccuracyMean=%.3f ensembleAccuracy=%.3f"
                            + " atHalf: seedAccuracyMean=%.3f ensembleAccuracy=%.3f%n", r.where(),
                    r.variant(), r.seeds(), r.scans(), rounded(r.seedAucs()), seedMean, r.ensembleAuc(),
                    r.ensembleAuc() - seedMean, Statistics.mean(r.seedAccuracies()), r.ensembleAccuracy(),
                    Statistics.mean(r.seedAccuraciesAtHalf()), r.ensembleAccuracyAtHalf());
            byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(new double[] {seedMean,
                    r.ensembleAuc(), Statistics.mean(r.seedAccuracies()), r.ensembleAccuracy(),
                    Statistics.mean(r.seedAccuraciesAtHalf()), r.ensembleAccuracyAtHalf()});
        }
        byVariant.forEach((variant, groups) -> {
            double[] seedMean = groups.stream().mapToDouble(g -> g[0]).toArray();
            double[] ensemble = groups.stream().mapToDouble(g -> g[1]).toArray();
            double[] gain = groups.stream().mapToDouble(g -> g[1] - g[0]).toArray();
            long won = groups.stream().filter(g -> g[1] > g[0]).count();
            System.out.printf(Locale.ROOT, "ensemble summary variant=%s groups=%d seedMeanAuc=%.3f±%.3f"
                            + " ensembleAuc=%.3f±%.3f gain=%+.3f[%+.3f,%+.3f] won=%d/%d seedAccuracy=%.3f"
                            + " ensembleAccuracy=%.3f atHalf: seedAccuracy=%.3f ensembleAccuracy=%.3f%n", variant,
                    groups.size(), Statistics.mean(seedMean),
                    Statistics.sd(seedMean), Statistics.mean(ensemble), Statistics.sd(ensemble),
                    Statistics.mean(gain), java.util.Arrays.stream(gain).min().orElse(Double.NaN),
                    java.util.Arrays.stream(gain).max().orElse(Double.NaN), won, groups.size(),
                    groups.stream().mapToDouble(g -> g[2]).average().orElse(Double.NaN),
                    groups.stream().mapToDouble(g -> g[3]).average().orElse(Double.NaN),
                    groups.stream().mapToDouble(g -> g[4]).average().orElse(Double.NaN),
                    groups.stream().mapToDouble(g -> g[5]).average().orElse(Double.NaN));
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
