package io.scanstream.benchmarks;

import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.ScanPreprocessor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Preprocessing throughput of one core: validate, sniff, read header, decode, convert to grey, resize to 224x224
 * with antialiasing, i.e. ingest's work per scan. Each invocation takes the next image of the corpus, so the
 * score is scans per second for the corpus' real size and pixel-type distribution.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PreprocessingBenchmark -p source=real}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class PreprocessingBenchmark {

    /** {@code real}: the COVID-CT slices; {@code synthetic}: generated phantoms. */
    @Param({"real"})
    public String source;

    private List<byte[]> images;
    private ScanPreprocessor preprocessor;
    private int next;

    @Setup
    public void load() throws IOException {
        images = BenchmarkImages.load(source, 120);
        preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        for (byte[] image : images) {
            if (!(preprocessor.preprocess(image) instanceof ScanPreprocessor.Result.Accepted)) {
                throw new IllegalStateException("a benchmark image does not preprocess; the corpus is wrong");
            }
        }
    }

    @Benchmark
    public ScanPreprocessor.Result preprocessOneScan() {
        byte[] image = images.get(next);
        next = (next + 1) % images.size();
        return preprocessor.preprocess(image);
    }
}
