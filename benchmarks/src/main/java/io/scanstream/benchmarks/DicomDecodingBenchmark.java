package io.scanstream.benchmarks;

import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.DecodeResult;
import io.scanstream.core.imaging.ScanDecoder;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DICOM throughput of one core, beside {@link PreprocessingBenchmark}'s PNG/JPEG figure: the same slices (the real
 * COVID-CT images or synthetic phantoms, decoded to full-resolution grey once) written as CT Image Storage
 * instances, 16-bit signed Hounsfield units, uncompressed, JPEG lossless (process 14, SV1) or RLE. {@code
 * preprocess}: ingest's work per scan (read, decode, HU and lung window, resize to 224x224); {@code decode}: the
 * same up to full-resolution grey, without the resize.
 *
 * <p>Run: {@code benchmarks/run jmh DicomDecodingBenchmark -p source=real -p encoding=NONE,JPEG_LOSSLESS,RLE}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class DicomDecodingBenchmark {

    /** {@code real}: the COVID-CT slices (all, as PreprocessingBenchmark); {@code synthetic}: generated phantoms. */
    @Param({"real"})
    public String source;

    @Param({"NONE", "JPEG_LOSSLESS", "RLE"})
    public String encoding;

    private List<byte[]> instances;
    private ScanPreprocessor preprocessor;
    private ScanDecoder decoder;
    private int next;

    @Setup
    public void load() throws IOException {
        List<byte[]> images = BenchmarkImages.load(source, 120);
        preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        decoder = preprocessor.decoder();
        SyntheticDicom.Compression compression = SyntheticDicom.Compression.valueOf(encoding);
        instances = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < images.size(); i++) {
            DecodeResult decoded = decoder.decode(images.get(i));
            if (!(decoded instanceof DecodeResult.Decoded d)) {
                throw new IllegalStateException("a benchmark image does not decode; the corpus is wrong");
            }
            byte[] dicom = SyntheticDicom.ctSlice(d.scan().image(),
                    SyntheticDicom.Identifiers.of("BENCH-" + (i / 3), String.valueOf(i)), compression);
            if (!(preprocessor.preprocess(dicom) instanceof ScanPreprocessor.Result.Accepted)) {
                throw new IllegalStateException("a benchmark DICOM does not preprocess");
            }
            instances.add(dicom);
            bytes += dicom.length;
        }
        System.err.printf("benchmark DICOM: %d instances, %s, %.0f KB on average%n", instances.size(), encoding,
                bytes / 1024.0 / instances.size());
    }

    @Benchmark
    public ScanPreprocessor.Result preprocess() {
        byte[] instance = instances.get(next);
        next = (next + 1) % instances.size();
        return preprocessor.preprocess(instance);
    }

    @Benchmark
    public DecodeResult decode() {
        byte[] instance = instances.get(next);
        next = (next + 1) % instances.size();
        return decoder.decode(instance);
    }
}
