package io.scanstream.model;

import io.scanstream.core.imaging.GreyImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fixtures src/test/python/make_fixtures.py wrote, and the reference batch they were computed on: two 32x32
 * grey images, a(x, y) = (7x + 13y) mod 256 and 255 - a.
 */
public final class Fixtures {

    public static final int REFERENCE_SIZE = 32;
    public static final long SEED = 20240601L;

    private Fixtures() {
    }

    public static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture " + name, e);
        }
    }

    public static List<GreyImage> referenceBatch() {
        byte[] a = new byte[REFERENCE_SIZE * REFERENCE_SIZE];
        byte[] b = new byte[a.length];
        for (int y = 0; y < REFERENCE_SIZE; y++) {
            for (int x = 0; x < REFERENCE_SIZE; x++) {
                int value = (7 * x + 13 * y) % 256;
                a[y * REFERENCE_SIZE + x] = (byte) value;
                b[y * REFERENCE_SIZE + x] = (byte) (255 - value);
            }
        }
        return List.of(new GreyImage(REFERENCE_SIZE, REFERENCE_SIZE, a),
                new GreyImage(REFERENCE_SIZE, REFERENCE_SIZE, b));
    }

    /** A grey image with seeded pseudo-random pixels. */
    public static GreyImage noise(int size, long seed) {
        byte[] pixels = new byte[size * size];
        new java.util.Random(seed).nextBytes(pixels);
        return new GreyImage(size, size, pixels);
    }

    /** The rows after the {@code output} line of a fixture text file. */
    public static float[][] expectedOutput(String name) {
        List<float[]> rows = new ArrayList<>();
        boolean inOutput = false;
        for (String line : lines(name)) {
            if (line.startsWith("output ")) {
                inOutput = true;
            } else if (inOutput && !line.isBlank()) {
                String[] fields = line.trim().split(" ");
                float[] row = new float[fields.length];
                for (int i = 0; i < row.length; i++) {
                    row[i] = Float.parseFloat(fields[i]);
                }
                rows.add(row);
            }
        }
        return rows.toArray(float[][]::new);
    }

    /** {@code param} lines of a torchvision fixture: name and shape. */
    public static List<TorchvisionParameter> torchvisionParameters(String name) {
        List<TorchvisionParameter> parameters = new ArrayList<>();
        for (String line : lines(name)) {
            if (line.startsWith("param ")) {
                String[] fields = line.split(" ");
                long[] shape = new long[fields.length - 2];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = Long.parseLong(fields[i + 2]);
                }
                parameters.add(new TorchvisionParameter(fields[1], shape));
            }
        }
        return parameters;
    }

    public record TorchvisionParameter(String name, long[] shape) {
    }

    /** The shared ImageNet models folder, when this machine has it (never on a fresh checkout). */
    public static Optional<Path> sharedModel(String file) {
        String folder = System.getProperty("scanstream.shared.models");
        if (folder == null) {
            return Optional.empty();
        }
        Path path = Path.of(folder).resolve(file);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    public static double maxAbs(float[][] rows) {
        double max = 0;
        for (float[] row : rows) {
            for (float v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    private static List<String> lines(String name) {
        try {
            return Files.readAllLines(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
