package io.scanstream.core.imaging;

import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomReader;
import io.scanstream.core.dicom.DicomResult;
import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded mutation fuzzer over the decoders (Jazzer's JUnit integration is not among the artifacts this build can
 * resolve, so this is plain JUnit): synthetic PNG, JPEG, raw-pixel DICOM, JPEG Lossless DICOM and RLE DICOM scans,
 * mutated in their headers and bodies (bit flips, boundary values written over 16- and 32-bit fields, truncation,
 * inserted and duplicated runs), go through {@link ScanPreprocessor} (bytes) and {@link DicomReader} +
 * {@link ScanPreprocessor} (a read instance), as ingest feeds them. Each input must end as an accepted scan or a
 * rejection value — nothing thrown — and allocate no more than the decode budget allows: the limits here leave
 * dimensions loose (32768 a side) and hold the raster budget tight, so a path that allocates by declared size
 * without asking the budget shows as an allocation far above it. Fixed seed and iteration count: the same inputs on
 * every run, a failure names the iteration that reproduces it.
 */
class DecoderFuzzTest {

    private static final long SEED = 0x5CA7_5EEDL;
    private static final int ITERATIONS = 20_000;
    private static final long RASTER_BUDGET = 4L * 1024 * 1024;
    private static final DecodeLimits LIMITS = new DecodeLimits(1024 * 1024, 32768, 32768, 1L << 30, RASTER_BUDGET);
    /**
     * What one decode may allocate in all (garbage included): the raster, its grey copy and the resize, ImageIO's
     * and the DICOM decoders' working buffers, each bounded by the raster budget or the input's size.
     */
    private static final long ALLOCATION_CEILING = 6 * RASTER_BUDGET + 16L * 1024 * 1024;
    private static final int[] BOUNDARIES = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF,
            0x8000_0000, 0xFFFF_FFFF, 0x0001_0000, 0x4000, 65536 + 224};

    private final ScanPreprocessor preprocessor = new ScanPreprocessor(LIMITS);
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void mutatedScansEndAsValuesAndStayWithinTheDecodeBudget() {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(SEED);
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        int rejected = 0;
        long started = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            StringBuilder how = new StringBuilder();
            byte[] input = mutate(seed, random, how);
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                ScanPreprocessor.Result bytes = preprocessor.preprocess(input);
                if (bytes instanceof ScanPreprocessor.Result.Accepted a) {
                    assertModelInput(a, i, how, failures);
                    accepted++;
                } else {
                    rejected++;
                }
                if (DicomReader.isPart10(input)) {
                    DicomResult<DicomInstance> read = DicomReader.read(input, LIMITS);
                    if (read instanceof DicomResult.Ok<DicomInstance> ok
                            && preprocessor.preprocess(ok.value()) instanceof ScanPreprocessor.Result.Accepted a) {
                        assertModelInput(a, i, how, failures);
                    }
                }
            } catch (Throwable e) {
                failures.add("iteration " + i + " (seed input " + (i % seeds.size()) + ", " + how + "): threw " + e);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > ALLOCATION_CEILING) {
                failures.add("iteration " + i + " (seed input " + (i % seeds.size()) + ", " + how + "): allocated "
                        + allocated + " bytes, over the ceiling of " + ALLOCATION_CEILING);
            }
        }
        System.out.printf("decoder fuzz: %d inputs in %d ms, %d accepted, %d rejected, %d failures%n", ITERATIONS,
                (System.nanoTime() - started) / 1_000_000, accepted, rejected, failures.size());
        assertThat(failures).as("inputs that escaped as exceptions or over the budget").isEmpty();
        // The fuzzer reaches both ends: some mutations still decode, most are refused.
        assertThat(accepted).isGreaterThan(ITERATIONS / 50);
        assertThat(rejected).isGreaterThan(ITERATIONS / 5);
    }

    @Test
    void theAllocationMeasureSeesARasterTheBudgetRefuses() {
        // The fuzzer's budget check has teeth: a decode without a raster budget worth the name allocates the whole
        // raster (3400x3400 RGBA, 46 MB), over the ceiling; with the fuzzer's limits the same file is refused cheaply.
        byte[] large = new SyntheticCtGenerator(SEED).scan(1, 3400, 3400, PixelType.RGBA, ImageFormat.PNG).bytes();
        ScanPreprocessor unbudgeted = new ScanPreprocessor(new DecodeLimits(64L << 20, 32768, 32768, 1L << 30, 1L << 40));
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThat(unbudgeted.preprocess(large)).isInstanceOf(ScanPreprocessor.Result.Accepted.class);
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isGreaterThan(ALLOCATION_CEILING);

        before = threads.getCurrentThreadAllocatedBytes();
        ScanPreprocessor.Result refused = preprocessor.preprocess(large);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(refused).isInstanceOfSatisfying(ScanPreprocessor.Result.Rejected.class, r -> assertThat(
                r.rejection().reason()).isEqualTo(io.scanstream.core.contract.RejectionReason.TOO_LARGE));
        assertThat(allocated).isLessThan(ALLOCATION_CEILING);
    }

    private static void assertModelInput(ScanPreprocessor.Result.Accepted accepted, int i, StringBuilder how,
                                         List<String> failures) {
        ScanPreprocessor.modelInputProblem(accepted.scan().image())
                .ifPresent(problem -> failures.add("iteration " + i + " (" + how + "): accepted, but " + problem));
    }

    /** Valid scans of every format ingest takes, small so that many mutations fit in the time. */
    private static List<byte[]> seeds() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(SEED);
        List<byte[]> seeds = new ArrayList<>();
        int n = 0;
        for (ImageFormat format : List.of(ImageFormat.PNG, ImageFormat.JPEG)) {
            for (PixelType type : PixelType.values()) {
                try {
                    seeds.add(generator.scan(n++, 96, 80, type, format).bytes());
                } catch (RuntimeException e) {
                    // not every pixel type exists in every format (JPEG has no 16-bit): skip those
                }
            }
        }
        GreyImage slice = new GreyImage(64, 48, pattern(64, 48));
        for (SyntheticDicom.Compression compression : SyntheticDicom.Compression.values()) {
            seeds.add(SyntheticDicom.ctSlice(slice, SyntheticDicom.Identifiers.of("FUZZ-1", compression.name()),
                    compression));
        }
        return seeds;
    }

    private static byte[] pattern(int width, int height) {
        byte[] pixels = new byte[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels[y * width + x] = (byte) ((x * 7 + y * 13) ^ (x * y));
            }
        }
        return pixels;
    }

    /** One to four mutations; headers (the first 512 bytes) are hit more often than pixel data. */
    static byte[] mutate(byte[] seed, SplittableRandom random, StringBuilder how) {
        byte[] data = seed.clone();
        int count = 1 + random.nextInt(4);
        for (int m = 0; m < count && data.length > 0; m++) {
            int at = random.nextInt(4) == 0 ? random.nextInt(data.length) : random.nextInt(Math.min(512, data.length));
            switch (random.nextInt(6)) {
                case 0 -> {
                    data[at] ^= (byte) (1 << random.nextInt(8));
                    how.append("flip@").append(at).append(' ');
                }
                case 1 -> {
                    int value = BOUNDARIES[random.nextInt(BOUNDARIES.length)];
                    boolean big = random.nextBoolean();
                    for (int b = 0; b < 4 && at + b < data.length; b++) {
                        int shift = big ? 24 - 8 * b : 8 * b;
                        data[at + b] = (byte) (value >>> shift);
                    }
                    how.append(big ? "int32be@" : "int32le@").append(at).append('=').append(value).append(' ');
                }
                case 2 -> {
                    int value = BOUNDARIES[random.nextInt(BOUNDARIES.length)];
                    data[at] = (byte) value;
                    if (at + 1 < data.length) {
                        data[at + 1] = (byte) (value >>> 8);
                    }
                    how.append("int16le@").append(at).append('=').append(value & 0xFFFF).append(' ');
                }
                case 3 -> {
                    data = Arrays.copyOf(data, 1 + random.nextInt(data.length));
                    how.append("truncate@").append(data.length).append(' ');
                }
                case 4 -> {
                    byte[] noise = new byte[1 + random.nextInt(64)];
                    random.nextBytes(noise);
                    data = splice(data, at, noise);
                    how.append("insert@").append(at).append('+').append(noise.length).append(' ');
                }
                default -> {
                    int length = Math.min(data.length - at, 1 + random.nextInt(256));
                    data = splice(data, at, Arrays.copyOfRange(data, at, at + length));
                    how.append("repeat@").append(at).append('+').append(length).append(' ');
                }
            }
        }
        return data;
    }

    private static byte[] splice(byte[] data, int at, byte[] inserted) {
        byte[] out = new byte[data.length + inserted.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(data, at, out, at + inserted.length, data.length - at);
        return out;
    }
}
