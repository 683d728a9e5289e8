package io.scanstream.inference.config;

import io.scanstream.service.config.ModelSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * inference-service configuration ({@code inference.*}; each key also as an environment variable, e.g.
 * {@code INFERENCE_BATCHING_MAX_BATCH_SIZE}). Topic names are {@code scanstream.topics.*} ({@code TopicNames}); the
 * loop's Kafka clients start from {@code kafka.*} and {@code scanstream.kafka.clients.inference-scans.*} /
 * {@code inference-results.*} ({@code KafkaClientSettings}).
 */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    Model model();

    Batching batching();

    Kafka kafka();

    Signing signing();

    Memory memory();

    /** When the native memory that explanations and swaps free is handed back (docs/operations.md, "Memory"). */
    interface Memory {
        /**
         * How long after the last explanation or backbone swap the native heap is trimmed: long enough that a
         * clinician's burst of requests reuses the same pages, short enough that a minute of explanations (210-260 MiB
         * of libtorch's activations measured) does not stay resident for good. A trim held glibc's arena 114-286 ms.
         */
        @WithDefault("30s")
        Duration quietBeforeTrim();
    }

    /**
     * Which model versions are believed (docs/security.md, "Signed model versions"): Ed25519 signatures over the
     * {@code models.published} record's value, by a key among {@code trusted-keys}.
     */
    interface Signing {
        /**
         * Refuse unsigned versions (UNSIGNED). Off only in development: a version that carries a signature must
         * verify either way.
         */
        @WithDefault("true")
        boolean required();

        /**
         * The trusted public keys (X.509 PEM, {@code openssl pkey -pubout}): files, or directories whose
         * {@code *.pem} files are keys (a mounted ConfigMap); comma-separated. Keep the previous key here after a
         * rotation so that versions signed with it (a rollback) still verify. Required when {@code required}.
         */
        Optional<List<Path>> trustedKeys();
    }

    /** Backbone, weights, seed and the model name served; shared with training (see ModelSettings). */
    interface Model extends ModelSettings {
        /** Where published backbones are written once assembled and verified (an emptyDir in Kubernetes). */
        @WithDefault(".scanstream/inference/backbones")
        Path backboneCache();

        /**
         * A head version whose outputs are NaN or infinite for this many scans in a row is withdrawn in service:
         * the last good version (the newest earlier one accepted and not withdrawn) is loaded in its place; its
         * backbone serves alone (UNDETERMINED) meanwhile, or for good when there is none. Each such scan is an
         * INTERNAL rejection.
         */
        @WithDefault("8")
        int withdrawAfterNonFinite();

        /**
         * Inputs a new version must give finite outputs for before it serves: the last ones served with a finite
         * outcome, topped up with deterministic synthetic scans. NaN, infinity or a failing forward pass refuse it
         * (NON_FINITE_OUTPUT, FORWARD_FAILED). Each validation is one forward over this many inputs.
         */
        @WithDefault("8") // ValidationBatch.DEFAULT_SIZE
        int validationBatchSize();
    }

    interface Batching {
        /** 8 suits CPUs (bigger batches are slower per scan there); 32 suits GPUs. */
        @WithDefault("8")
        int maxBatchSize();

        /**
         * 0: a free worker takes what is queued at once, and batches still fill under load while a forward pass runs.
         * Waiting buys nothing on CPU, where ONNX Runtime is as fast per scan at batch 1 as at 8, and cost 16 ms of
         * p50 at low rates (docs/benchmarks.md). The gpu overlay waits 20ms, for fuller batches there.
         */
        @WithDefault("0ms")
        Duration maxDelay();

        @WithDefault("256")
        int queueCapacity();

        /** Padded batch sizes; default: powers of two up to max-batch-size. */
        Optional<List<Integer>> buckets();

        /** Run every bucket shape once before consuming, so libtorch's first-call cost is paid at start-up. */
        @WithDefault("true")
        boolean warmUp();
    }

    interface Kafka {
        @WithDefault("inference-service")
        String groupId();

        /**
         * Unique per replica (the pod name in Kubernetes); the broker fences a zombie with the same id. The default
         * is the host name (a container's is its id, unique per replica), {@code inference-local} without one.
         */
        @WithDefault("inference-${HOSTNAME:local}")
        String transactionalId();

        /** Scans per poll; the batcher's queue must hold a whole poll (backpressure pauses the consumer). */
        @WithDefault("64")
        int maxPollRecords();

        /**
         * How often completed results are committed (one transaction each). 20 ms, with ingest's fetch waiting up to
         * 50 ms: at half load a lower median and tail, for less CPU per scan, than 100 ms with one-scan ingest
         * transactions; near saturation 100 ms makes fuller transactions (docs/benchmarks.md, "Fewer ingest
         * transactions").
         */
        @WithDefault("20ms")
        Duration commitInterval();

        /**
         * Also commit as soon as every polled scan has its result (the batcher holds none of them), instead of
         * waiting out the interval. Off by default: at half load it took 38 ms off the median but cost about 8 %
         * more CPU per scan in more transactions, and the p99 did not improve (docs/benchmarks.md).
         */
        @WithDefault("false")
        boolean commitWhenIdle();
    }
}
