package io.scanstream.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paired tables of docs/benchmarks.md, from the per-fold lines {@code finetune-cv} prints
 * ({@code evaluation.finetune-cv.fold config=NAME fold=K/N variant=V auc=A accuracy=C}), so that a comparison is
 * re-made by a command, not by hand. A screening run split over several invocations ({@code --cv-run-folds 1,5}, then
 * {@code 2,3,4}) is read from all its files. A method run with several fine-tuning seeds is one candidate of several
 * configs: per fold, its AUC is the mean over those seeds, and the spread over seeds is reported beside the spread
 * over folds. Only folds that both sides have are compared.
 *
 * <pre>
 * evaluation/run compare --baseline lpft-e10 --candidate fb8=lpft-fb8,fb8-seed8,fb8-seed9 LOG_OR_SUMMARY_TXT...
 * </pre>
 */
public final class FoldComparison {

    static final String USAGE = """
            usage: evaluation/run compare --baseline CONFIG[,CONFIG...] --candidate [LABEL=]CONFIG[,CONFIG...] FILE...
              FILE      logs or summary.txt files holding finetune-cv's per-fold lines
              a list of configs is one method under several fine-tuning seeds: per fold the mean over them
            """;

    private static final Pattern FOLD_LINE = Pattern.compile("evaluation\\.finetune-cv\\.fold config=(\\S+)"
            + " fold=(\\d+)/\\d+ variant=(\\S+) auc=(\\S+) accuracy=(\\S+)");

    /** AUC and accuracy of one held-out fold, by config, then variant, then fold (1-based). */
    private final Map<String, Map<String, Map<Integer, double[]>>> figures = new LinkedHashMap<>();

    /** Reads every per-fold line of the files; a fold printed twice for one config keeps its last line. */
    public static FoldComparison read(List<Path> files) throws IOException {
        FoldComparison comparison = new FoldComparison();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                Matcher m = FOLD_LINE.matcher(line);
                if (m.find()) {
                    comparison.figures.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                            .computeIfAbsent(m.group(3), k -> new LinkedHashMap<>())
                            .put(Integer.parseInt(m.group(2)), new double[] {Double.parseDouble(m.group(4)),
                                    Double.parseDouble(m.group(5))});
                }
            }
        }
        return comparison;
    }

    public Set<String> configs() {
        return figures.keySet();
    }

    /** One readout of a method against another on the folds both have. */
    public record Row(String variant, List<Integer> folds, double[] baselineAucs, double[] candidateAucs,
                      double baselineAccuracy, double candidateAccuracy, double[] candidateSeedMeans) {

        public double meanDifference() {
            return Statistics.mean(differences());
        }

        public double[] differences() {
            double[] d = new double[folds.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = candidateAucs[i] - baselineAucs[i];
            }
            return d;
        }

        public int foldsWon() {
            return (int) java.util.Arrays.stream(differences()).filter(d -> d > 0).count();
        }
    }

    /** Per variant in the order first printed: the paired figures of {@code candidate} against {@code baseline}. */
    public List<Row> compare(List<String> baseline, List<String> candidate) {
        for (String config : concat(baseline, candidate)) {
            if (!figures.containsKey(config)) {
                throw new IllegalArgumentException("no per-fold lines for config " + config + "; found " + configs());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String variant : figures.get(baseline.get(0)).keySet()) {
            Set<Integer> folds = new TreeSet<>(folds(baseline, variant));
            folds.retainAll(folds(candidate, variant));
            if (folds.isEmpty()) {
                continue;
            }
            List<Integer> shared = List.copyOf(folds);
            double[] seedMeans = candidate.stream().filter(c -> has(c, variant, shared))
                    .mapToDouble(c -> shared.stream().mapToDouble(f -> at(c, variant, f)[0]).average().orElseThrow())
                    .toArray();
            rows.add(new Row(variant, shared, perFold(baseline, variant, shared, 0),
                    perFold(candidate, variant, shared, 0), Statistics.mean(perFold(baseline, variant, shared, 1)),
                    Statistics.mean(perFold(candidate, variant, shared, 1)), seedMeans));
        }
        return rows;
    }

    /** The rows as a markdown table, with the labels the docs use. */
    public static String markdown(String baselineLabel, String candidateLabel, List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "| readout | %1$s, folds %3$s | %2$s, same folds | %1$s: mean ± sd"
                        + " | %2$s: mean ± sd | difference, same fold | folds won | %2$s: sd over seeds (n) |"
                        + " accuracy, %1$s → %2$s |%n",
                baselineLabel, candidateLabel, rows.isEmpty() ? "" : join(rows.get(0).folds())));
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double[] d = r.differences();
            out.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %.3f ± %.3f | %.3f ± %.3f | %+.3f [%+.3f – %+.3f] | %d/%d | %s | %s → %s |%n",
                    r.variant(), values(r.baselineAucs()), values(r.candidateAucs()),
                    Statistics.mean(r.baselineAucs()), Statistics.sd(r.baselineAucs()),
                    Statistics.mean(r.candidateAucs()), Statistics.sd(r.candidateAucs()),
                    signed(r.meanDifference()),
                    signed(java.util.Arrays.stream(d).min().orElse(Double.NaN)),
                    signed(java.util.Arrays.stream(d).max().orElse(Double.NaN)), r.foldsWon(), d.length,
                    r.candidateSeedMeans().length < 2 ? "one seed" : String.format(Locale.ROOT, "%.3f (%d)",
                            Statistics.sd(r.candidateSeedMeans()), r.candidateSeedMeans().length),
                    figure(r.baselineAccuracy()), figure(r.candidateAccuracy())));
        }
        return out.toString();
    }

    public static void main(String[] args) throws IOException {
        String baselineArg = null;
        String candidateArg = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--baseline" -> baselineArg = i + 1 < args.length ? args[++i] : null;
                case "--candidate" -> candidateArg = i + 1 < args.length ? args[++i] : null;
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> files.add(Path.of(args[i]));
            }
        }
        if (baselineArg == null || candidateArg == null || files.isEmpty()) {
            System.out.print(USAGE);
            System.exit(2);
        }
        String[] baseline = labelled(baselineArg);
        String[] candidate = labelled(candidateArg);
        FoldComparison comparison = read(files);
        System.out.print(markdown(baseline[0], candidate[0], comparison.compare(List.of(baseline[1].split(",")),
                List.of(candidate[1].split(",")))));
    }

    /** {@code LABEL=a,b} or {@code a,b} (labelled by its configs). */
    private static String[] labelled(String arg) {
        int eq = arg.indexOf('=');
        return eq < 0 ? new String[] {arg, arg} : new String[] {arg.substring(0, eq), arg.substring(eq + 1)};
    }

    private Set<Integer> folds(List<String> configs, String variant) {
        Set<Integer> any = new LinkedHashSet<>();
        configs.forEach(c -> any.addAll(figures.get(c).getOrDefault(variant, Map.of()).keySet()));
        return any;
    }

    private boolean has(String config, String variant, List<Integer> folds) {
        return figures.get(config).getOrDefault(variant, Map.of()).keySet().containsAll(folds);
    }

    private double[] at(String config, String variant, int fold) {
        return figures.get(config).get(variant).get(fold);
    }

    /** Per fold, the mean over the configs (seeds) that have it; a figure not kept (NaN) is left out. */
    private double[] perFold(List<String> configs, String variant, List<Integer> folds, int which) {
        return folds.stream().mapToDouble(f -> configs.stream()
                        .map(c -> figures.get(c).getOrDefault(variant, Map.of()).get(f))
                        .filter(v -> v != null && !Double.isNaN(v[which])).mapToDouble(v -> v[which]).average().orElse(Double.NaN))
                .toArray();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String values(double[] v) {
        return String.join(", ", java.util.Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.3f", x))
                .toList());
    }

    /** Rounded to the 3 decimals printed, so that a difference that rounds to nothing prints +0.000, not -0.000. */
    private static double signed(double difference) {
        return Double.isNaN(difference) ? difference : Math.round(difference * 1000) / 1000.0 + 0.0;
    }

    /** A mean over folds whose figure was not kept is NaN: said as such. */
    private static String figure(double mean) {
        return Double.isNaN(mean) ? "not kept" : String.format(Locale.ROOT, "%.3f", mean);
    }

    private static String join(List<Integer> folds) {
        return String.join(",", folds.stream().map(String::valueOf).toList());
    }
}
