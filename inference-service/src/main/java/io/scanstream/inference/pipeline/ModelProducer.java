package io.scanstream.inference.pipeline;

import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.BackboneLibrary;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.metrics.ModelVersionMetrics;
import io.scanstream.model.DjlEnvironment;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The batching policy, the published backbones and the networks in service: one of each per replica. */
public class ModelProducer {

    @Produces
    @Singleton
    BatchingPolicy batchingPolicy(InferenceConfig config) {
        InferenceConfig.Batching b = config.batching();
        return b.buckets()
                .map(buckets -> new BatchingPolicy(b.maxBatchSize(), b.maxDelay(), b.queueCapacity(), buckets))
                .orElseGet(() -> BatchingPolicy.powersOfTwo(b.maxBatchSize(), b.maxDelay(), b.queueCapacity()));
    }

    @Produces
    @Singleton
    BackboneLibrary backbones(InferenceConfig config) {
        return new BackboneLibrary(config.model().backboneCache());
    }

    @Produces
    @Singleton
    ModelVersions versions(InferenceConfig config, BatchingPolicy policy, BackboneLibrary backbones,
                           ModelVersionMetrics metrics) {
        // DJL reads these only from system properties or the environment, before the engine first loads.
        DjlEnvironment.ensureOffline();
        ConfiguredBackbones loader = new ConfiguredBackbones(config, policy);
        try {
            ModelVersions versions = new ModelVersions(config.model().name(), loader, backbones, metrics);
            loader.warmUp(versions.currentBackbone());
            return versions;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bootstrap backbone", e);
        }
    }

    void closeVersions(@Disposes ModelVersions versions) {
        versions.close();
    }
}
