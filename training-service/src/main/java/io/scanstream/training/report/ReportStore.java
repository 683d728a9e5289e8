package io.scanstream.training.report;

import io.scanstream.core.contract.Json;
import io.scanstream.training.domain.RunOutcome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reports on disk, one folder per run under the reports directory: {@code report.json}, the model card
 * {@code card.json} (runs that trained a model), the PNG plots and, for full-network runs, the artifacts. Files are written to a temporary name and moved, so a reader never sees half a
 * report. Names are checked: a request cannot reach outside the reports directory.
 */
public final class ReportStore {

    public static final String REPORT_FILE = "report.json";
    public static final String CARD_FILE = "card.json";
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;

    public ReportStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The run's folder, created if needed. */
    public Path runDirectory(String runId) throws IOException {
        return Files.createDirectories(folder(runId));
    }

    /** Writes the plots, then the report (last: its presence means the run's files are complete). */
    public Path write(RunReport report, Map<String, byte[]> plots) throws IOException {
        Path dir = runDirectory(report.runId());
        for (Map.Entry<String, byte[]> plot : plots.entrySet()) {
            writeAtomically(dir.resolve(checkedFile(plot.getKey())), plot.getValue());
        }
        if (report.outcome() == RunOutcome.PUBLISHED || report.outcome() == RunOutcome.GATED_OUT) {
            writeAtomically(dir.resolve(CARD_FILE),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(ModelCard.of(report)));
        } else {
            Files.deleteIfExists(dir.resolve(CARD_FILE)); // a publish that failed after the card was written
        }
        Path file = dir.resolve(REPORT_FILE);
        writeAtomically(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        return file;
    }

    public Optional<byte[]> read(String runId, String fileName) throws IOException {
        if (!RUN_ID.matcher(runId).matches() || !FILE.matcher(fileName).matches()) {
            return Optional.empty();
        }
        Path file = folder(runId).resolve(fileName);
        return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    private Path folder(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("not a run id: " + runId);
        }
        return root.resolve(runId);
    }

    private static String checkedFile(String name) {
        if (!FILE.matcher(name).matches()) {
            throw new IllegalArgumentException("not a report file name: " + name);
        }
        return name;
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
