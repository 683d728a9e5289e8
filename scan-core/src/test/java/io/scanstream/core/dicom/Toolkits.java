package io.scanstream.core.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real DICOM toolkits the tests check against, when this machine has them: dcmtk ({@code dcmdump},
 * {@code dcmcjpeg}, {@code dcmcrle}, {@code dcmcjpls}, {@code dcmdjpeg}, {@code dcmdrle}) and pydicom with numpy
 * (Debian: dcmtk, python3-pydicom, python3-numpy; {@code .ci/run} installs them when missing).
 */
final class Toolkits {

    record Run(int exit, String stdout, String stderr) {
        Run requireSuccess(String what) {
            if (exit != 0) {
                throw new AssertionError(what + " failed (exit " + exit + "): " + stderr + stdout);
            }
            return this;
        }
    }

    private static final Optional<String> PYTHON = findPython();

    private Toolkits() {
    }

    /** A python interpreter that imports pydicom and numpy. */
    static Optional<String> python() {
        return PYTHON;
    }

    static boolean dcmtk() {
        return onPath("dcmdump") && onPath("dcmcjpeg") && onPath("dcmcrle") && onPath("dcmcjpls")
                && onPath("dcmdjpeg") && onPath("dcmdrle");
    }

    static final String DCMTK_MISSING = "dcmtk not installed (Debian package dcmtk; .ci/run installs it): "
            + "checks against dcmtk skipped";
    static final String PYDICOM_MISSING = "pydicom with numpy not installed (Debian packages python3-pydicom, "
            + "python3-numpy; .ci/run installs them): checks against pydicom skipped";

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Run run(List<String> command) {
        try {
            Path out = Files.createTempFile("toolkit", ".out");
            Path err = Files.createTempFile("toolkit", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out: " + command);
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs the tests' pydicom script ({@code src/test/resources/dicom/pydicom_tool.py}). */
    static Run pydicomTool(Path workDir, String... args) {
        Path script = workDir.resolve("pydicom_tool.py");
        if (!Files.exists(script)) {
            try (InputStream in = Toolkits.class.getResourceAsStream("/dicom/pydicom_tool.py")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.orElseThrow(), script.toString()));
        command.addAll(List.of(args));
        return run(command).requireSuccess("pydicom_tool.py " + String.join(" ", args));
    }

    /** The folder of pydicom's bundled test files (CT_small.dcm, ...), if this pydicom ships them. */
    static Optional<Path> pydicomTestFiles() {
        if (PYTHON.isEmpty()) {
            return Optional.empty();
        }
        Run r = run(List.of(PYTHON.get(), "-c",
                "from pydicom.data import get_testdata_file; print(get_testdata_file('CT_small.dcm') or '')"));
        String file = r.stdout().strip();
        return r.exit() == 0 && !file.isEmpty() ? Optional.of(Path.of(file).getParent()) : Optional.empty();
    }

    private static Optional<String> findPython() {
        // Debian's python3-pydicom installs for the system interpreter, which may not be the first python3 on PATH.
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                if (run(List.of(candidate, "-c", "import pydicom, numpy")).exit() == 0) {
                    return Optional.of(candidate);
                }
            } catch (UncheckedIOException e) {
                // not there
            }
        }
        return Optional.empty();
    }
}
