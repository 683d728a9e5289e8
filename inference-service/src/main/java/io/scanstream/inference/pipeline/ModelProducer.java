package io.scanstream.inference.pipeline;

import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.BackboneLibrary;
import io.scanstream.inference.domain.ModelReplay;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.domain.ValidationBatch;
import io.scanstream.inference.domain.VersionSignatures;
import io.scanstream.core.signing.TrustedModelKeys;
import org.jboss.logging.Logger;
import io.scanstream.inference.metrics.ModelVersionMetrics;
import io.scanstream.model.DjlEnvironment;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The batching policy, the published backbones and the networks in service: one of each per replica. */
public class ModelProducer {

    private static final Logger LOG = Logger.getLogger(ModelProducer.class);

    @Produces
    @Singleton
    BatchingPolicy batchingPolicy(InferenceConfig config) {
        InferenceConfig.Batching b = config.batching();
        return b.buckets()
                .map(buckets -> new BatchingPolicy(b.maxBatchSize(), b.maxDelay(), b.queueCapacity(), buckets))
                .orElseGet(() -> BatchingPolicy.powersOfTwo(b.maxBatchSize(), b.maxDelay(), b.queueCapacity()));
    }

    /** How far this replica has replayed the model topics (it serves scans only once it has reached their ends). */
    @Produces
    @Singleton
    ModelReplay replay() {
        return new ModelReplay();
    }

    @Produces
    @Singleton
    BackboneLibrary backbones(InferenceConfig config) {
        return new BackboneLibrary(config.model().backboneCache());
    }

    /** The trusted model-signing keys; start-up fails when versions must be signed and no key is configured. */
    @Produces
    @Singleton
    @Startup // no trusted key stops the start, not the first version that arrives
    VersionSignatures signatures(InferenceConfig config) {
        InferenceConfig.Signing signing = config.signing();
        List<Path> locations = signing.trustedKeys().orElse(List.of());
        TrustedModelKeys keys;
        try {
            keys = TrustedModelKeys.load(locations);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the trusted model-signing keys (inference.signing.trusted-keys="
                    + locations + "): " + e.getMessage(), e);
        }
        if (signing.required() && keys.isEmpty()) {
            throw new IllegalStateException("inference.signing.required=true but inference.signing.trusted-keys names "
                    + "no public key (INFERENCE_SIGNING_TRUSTED_KEYS: PEM files or a directory of them; "
                    + "docs/security.md). Every version would be refused.");
        }
        if (!signing.required()) {
            LOG.warnf("model.signing required=false: unsigned model versions are served (development only)");
        }
        LOG.infof("model.signing required=%s trusted-keys=%s", signing.required(), keys.keyIds());
        return new VersionSignatures(keys, signing.required());
    }

    @Produces
    @Singleton
    ModelVersions versions(InferenceConfig config, BatchingPolicy policy, BackboneLibrary backbones,
                           ModelVersionMetrics metrics) {
        // DJL reads these only from system properties or the environment, before the engine first loads.
        DjlEnvironment.configure();
        ConfiguredBackbones loader = new ConfiguredBackbones(config, policy);
        try {
            ModelVersions versions = new ModelVersions(config.model().name(), loader, backbones, metrics,
                    new ValidationBatch(config.model().validationBatchSize(), policy.buckets()), null);
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
