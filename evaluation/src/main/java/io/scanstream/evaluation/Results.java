package io.scanstream.evaluation;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.contract.Json;
import io.scanstream.learning.report.ReportPlots;
import io.scanstream.model.metrics.BinaryEvaluation;
import io.scanstream.model.metrics.RocCurve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an evaluation run leaves behind: one printed line per result (also in {@code summary.txt}), the figures as
 * JSON ({@code summary.json}), and a folder per configuration with its report and plots.
 */
public final class Results {

    private final Path out;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Object> figures = new LinkedHashMap<>();

    public Results(Path out) {
        this.out = out;
    }

    public void line(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        lines.add(line);
    }

    public void put(String name, Object value) {
        figures.put(name, value);
    }

    /**
     * Appends CSV rows to {@code file} in the output folder, its header first when the file is new. Written as each
     * fold ends, so a run stopped part-way keeps what it scored.
     */
    public void appendCsv(String file, String header, List<String> rows) throws IOException {
        Files.createDirectories(out);
        Path path = out.resolve(file);
        List<String> text = new ArrayList<>();
        if (!Files.exists(path)) {
            text.add(header);
        }
        text.addAll(rows);
        Files.write(path, text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    public Path folder(String configuration) throws IOException {
        return Files.createDirectories(out.resolve(configuration));
    }

    /** A configuration's report.json and its plots (curves of the run, ROC on the validation split). */
    public void report(EvaluationReport report, List<EpochMetrics> epochs, BinaryEvaluation evaluation)
            throws IOException {
        Path dir = folder(report.configuration());
        Map<String, byte[]> plots = ReportPlots.render(epochs, List.of(new ReportPlots.NamedRoc(
                report.configuration(), new RocCurve(evaluation.roc(), evaluation.auc()))));
        for (Map.Entry<String, byte[]> plot : plots.entrySet()) {
            Files.write(dir.resolve(plot.getKey()), plot.getValue());
        }
        Files.write(dir.resolve("report.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
    }

    public void writeSummary() throws IOException {
        Files.createDirectories(out);
        Files.write(out.resolve("summary.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(figures));
        Files.write(out.resolve("summary.txt"), lines);
    }
}
