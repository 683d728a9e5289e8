package io.scanstream.benchmarks;

import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.ScanPreprocessor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Ingest's decode step per batch at a given {@code ingest.decode.parallelism}: a batch of 32 scans (the consumer's
 * {@code max.poll.records}) preprocessed (decode, grey, resize to 224x224) on a fixed pool of that many workers, the
 * caller waiting for all of them, as {@code IngestPipeline.process} does; parallelism 1 decodes on the calling
 * thread. The score is scans per second (32 operations per batch). The ordered checks around the decodes (parsing,
 * hashing, duplicates) are not in it: they are a small part of a scan's cost.
 *
 * <p>Run: {@code benchmarks/run jmh BatchDecodingBenchmark -p parallelism=1,2 -p source=synthetic}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class BatchDecodingBenchmark {

    static final int BATCH = 32;

    /** Workers decoding a batch at once (1: on the calling thread). */
    @Param({"1", "2"})
    public int parallelism;

    /** {@code real}: the COVID-CT slices; {@code synthetic}: generated phantoms. */
    @Param({"synthetic"})
    public String source;

    private List<byte[]> images;
    private ScanPreprocessor preprocessor;
    private ExecutorService pool;
    private Executor decodes;
    private int next;

    @Setup(Level.Trial)
    public void start() throws IOException {
        images = BenchmarkImages.load(source, 120);
        preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
        pool = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, task -> {
            Thread thread = new Thread(task, "bench-decode");
            thread.setDaemon(true);
            return thread;
        });
        decodes = pool == null ? Runnable::run : pool;
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decodeOneBatch() {
        List<CompletableFuture<ScanPreprocessor.Result>> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            byte[] image = images.get(next);
            next = (next + 1) % images.size();
            batch.add(CompletableFuture.supplyAsync(() -> preprocessor.preprocess(image), decodes));
        }
        int accepted = 0;
        for (CompletableFuture<ScanPreprocessor.Result> result : batch) {
            if (result.join() instanceof ScanPreprocessor.Result.Accepted) {
                accepted++;
            }
        }
        if (accepted != BATCH) {
            throw new IllegalStateException(accepted + " of " + BATCH + " benchmark images preprocessed");
        }
        return accepted;
    }
}
