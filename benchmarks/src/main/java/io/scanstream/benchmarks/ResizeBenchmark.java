package io.scanstream.benchmarks;

import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.DecodeResult;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanDecoder;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.imaging.TapByTapResizer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The antialiased resize to the model's 224x224 alone, on the slices decoded to full-resolution grey once: ingest's
 * {@link AntialiasedResizer} against {@link TapByTapResizer}, the same filter summed tap by tap (the resizer's
 * definition and its earlier form; the two give the same pixels, {@code AntialiasedResizerTest}). {@code images=all}
 * takes the corpus in turn; {@code images=large} only its slices of 1.4 megapixels or more (five of the COVID-CT
 * development set's 543: the images behind half load's slowest scans, docs/benchmarks.md).
 *
 * <p>Run: {@code benchmarks/run jmh ResizeBenchmark -p images=all,large}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class ResizeBenchmark {

    private static final int LARGE_PIXELS = 1_400_000;

    /** {@code real}: the COVID-CT slices; {@code synthetic}: generated phantoms. */
    @Param({"real"})
    public String source;

    /** {@code all}: every slice; {@code large}: those of 1.4 megapixels or more. */
    @Param({"all"})
    public String images;

    private List<GreyImage> decoded;
    private int next;

    @Setup
    public void decode() throws IOException {
        ScanDecoder decoder = new ScanDecoder(DecodeLimits.DEFAULT);
        decoded = new ArrayList<>();
        for (byte[] bytes : BenchmarkImages.load(source, 120)) {
            if (!(decoder.decode(bytes) instanceof DecodeResult.Decoded d)) {
                throw new IllegalStateException("a benchmark image does not decode; the corpus is wrong");
            }
            GreyImage image = d.scan().image();
            if (images.equals("all") || (long) image.width() * image.height() >= LARGE_PIXELS) {
                decoded.add(image);
            }
        }
        if (decoded.isEmpty()) {
            throw new IllegalStateException("no " + images + " images in the " + source + " corpus");
        }
        System.err.printf("resize benchmark: %d %s images%n", decoded.size(), images);
    }

    @Benchmark
    public GreyImage resize() {
        return AntialiasedResizer.resize(nextImage(), ScanPreprocessor.MODEL_INPUT_SIZE,
                ScanPreprocessor.MODEL_INPUT_SIZE);
    }

    @Benchmark
    public GreyImage tapByTap() {
        return TapByTapResizer.resize(nextImage(), ScanPreprocessor.MODEL_INPUT_SIZE,
                ScanPreprocessor.MODEL_INPUT_SIZE);
    }

    private GreyImage nextImage() {
        GreyImage image = decoded.get(next);
        next = (next + 1) % decoded.size();
        return image;
    }
}
