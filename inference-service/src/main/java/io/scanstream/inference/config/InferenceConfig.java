package io.scanstream.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * inference-service configuration ({@code inference.*}; each key also as an environment variable, e.g.
 * {@code INFERENCE_BATCHING_MAX_BATCH_SIZE}).
 */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    Model model();

    Batching batching();

    Kafka kafka();

    Topics topics();

    interface Model {
        /** {@code mobilenet_v2}, {@code resnet34}, {@code vgg16} or {@code vgg19}. */
        @WithDefault("mobilenet_v2")
        String backbone();

        /** TorchScript ({@code .pt}) or DJL parameters ({@code .params}); absent = random init (loudly). */
        Optional<Path> backboneWeights();

        /** Seed of the random initialisation when no weights are given. */
        @WithDefault("42")
        long seed();

        /** The model name whose versions this service serves (the key on models.published). */
        @WithDefault("covid-head")
        String name();
    }

    interface Batching {
        /** 8 suits CPUs (bigger batches are slower per scan there); 32 suits GPUs. */
        @WithDefault("8")
        int maxBatchSize();

        @WithDefault("20ms")
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

        /** Unique per replica (the pod name in Kubernetes); the broker fences a zombie with the same id. */
        @WithDefault("inference-local")
        String transactionalId();

        @WithDefault("64")
        int maxPollRecords();

        /** How often completed results are committed (one transaction each). */
        @WithDefault("100ms")
        Duration commitInterval();
    }

    interface Topics {
        @WithDefault("scans.preprocessed")
        String preprocessed();

        @WithDefault("scans.predictions")
        String predictions();

        @WithDefault("scans.embeddings")
        String embeddings();

        @WithDefault("scans.rejected")
        String rejected();
    }
}
