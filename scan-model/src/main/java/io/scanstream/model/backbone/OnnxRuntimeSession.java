package io.scanstream.model.backbone;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.scanstream.model.EngineThreads;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One ONNX Runtime (CPU) session of a backbone graph with one float input {@code [N, 3, H, W]} and a named float
 * output {@code [N, D]}. Sessions are optimised with every graph optimisation (convolution + batch-norm fusion
 * and the like) and their worker threads do not spin between runs: on a few cores shared with Kafka clients and
 * JSON encoding, idle threads busy-waiting would take CPU the rest of the pipeline needs.
 */
final class OnnxRuntimeSession implements AutoCloseable {

    static final String THREADS_PROPERTY = "scanstream.onnxruntime.threads";
    static final String THREADS_ENV = "SCANSTREAM_ONNXRUNTIME_THREADS";
    /**
     * The name ONNX Runtime's intra-op worker threads carry. They are native threads, and Linux names a new thread
     * after the thread that starts it: a session created on a Quarkus worker or a Kafka consumer would have its workers
     * pass for that thread in {@code top -H}, /proc and the benchmarks' CPU per thread group. Sessions are therefore
     * created on a short-lived thread of this name.
     */
    static final String WORKER_THREAD_NAME = "onnxruntime";

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String inputName;
    private final long[] inputDims;
    private final String outputName;

    private OnnxRuntimeSession(OrtEnvironment environment, OrtSession session, String outputName) {
        this.environment = environment;
        this.session = session;
        try {
            if (session.getInputNames().size() != 1) {
                throw new IllegalArgumentException("expected one graph input, found " + session.getInputNames());
            }
            this.inputName = session.getInputNames().iterator().next();
            NodeInfo input = session.getInputInfo().get(inputName);
            if (!(input.getInfo() instanceof TensorInfo tensor) || tensor.getShape().length != 4) {
                throw new IllegalArgumentException("graph input '" + inputName + "' is not a 4-dimensional tensor: "
                        + input.getInfo());
            }
            this.inputDims = tensor.getShape();
            String output = outputName != null ? outputName
                    : session.getOutputNames().size() == 1 ? session.getOutputNames().iterator().next() : null;
            if (output == null || !session.getOutputNames().contains(output)) {
                throw new IllegalArgumentException("graph has no output " + (outputName == null ? "(several, none"
                        + " chosen)" : "'" + outputName + "'") + "; its outputs: " + session.getOutputNames());
            }
            this.outputName = output;
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        }
    }

    /** @param outputName the output to read, or null when the graph has exactly one */
    static OnnxRuntimeSession open(Path file, String outputName) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options()) {
            return opened(environment, created(() -> environment.createSession(file.toString(), options)), outputName);
        } catch (OrtException e) {
            throw new IllegalArgumentException(file + " is not a graph ONNX Runtime can load: " + e.getMessage(), e);
        }
    }

    static OnnxRuntimeSession open(byte[] graph, String outputName) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options()) {
            return opened(environment, created(() -> environment.createSession(graph, options)), outputName);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime refused a generated graph: " + e.getMessage(), e);
        }
    }

    private static OnnxRuntimeSession opened(OrtEnvironment environment, OrtSession session, String outputName)
            throws OrtException {
        try {
            return new OnnxRuntimeSession(environment, session, outputName);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Runs {@code creation} on a thread named {@value #WORKER_THREAD_NAME}, whose name its worker threads take. */
    private static OrtSession created(Callable<OrtSession> creation) throws OrtException {
        FutureTask<OrtSession> task = new FutureTask<>(creation);
        Thread thread = new Thread(task, WORKER_THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: a session abandoned here would never be closed
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof OrtException ort) {
                        throw ort;
                    } else if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    } else if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException("creating the ONNX Runtime session failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads());
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /**
     * Intra-op threads: system property {@value #THREADS_PROPERTY} or environment variable {@value #THREADS_ENV};
     * unset, the container's CPU limit where there is one ({@link EngineThreads}: ONNX Runtime's own default counts
     * the host's cores), else 0; 0 = ONNX Runtime's own default.
     */
    static int threads() {
        String value = System.getProperty(THREADS_PROPERTY, System.getenv(THREADS_ENV));
        if (value == null || value.isBlank()) {
            return EngineThreads.limit().orElse(0);
        }
        try {
            int threads = Integer.parseInt(value.strip());
            if (threads < 0) {
                throw new NumberFormatException("negative");
            }
            return threads;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be a number of threads >= 0, got '" + value
                    + "'", e);
        }
    }

    /** The input's dimensions as the graph declares them, -1 where free (batch, and usually height and width). */
    long[] inputDims() {
        return inputDims.clone();
    }

    /**
     * Runs the graph on {@code input} (row-major, of the given shape).
     *
     * @return the output, row-major, with its shape in {@code outputShape[0]}
     */
    float[] run(FloatBuffer input, long[] shape, long[][] outputShape) {
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, input, shape);
             OrtSession.Result result = session.run(Map.of(inputName, tensor), Set.of(outputName))) {
            OnnxValue value = result.get(0);
            if (!(value instanceof OnnxTensor output)) {
                throw new IllegalStateException("output '" + outputName + "' is not a tensor");
            }
            outputShape[0] = output.getInfo().getShape();
            FloatBuffer values = output.getFloatBuffer();
            if (values == null) {
                throw new IllegalStateException("output '" + outputName + "' is not float32: " + output.getInfo());
            }
            float[] flat = new float[values.remaining()];
            values.get(flat);
            return flat;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on input " + Arrays.toString(shape) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session", e);
        }
    }
}
