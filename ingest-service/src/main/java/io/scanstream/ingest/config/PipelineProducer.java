package io.scanstream.ingest.config;

import io.scanstream.core.privacy.PatientPseudonymizer;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.ingest.domain.IngestPolicy;
import io.scanstream.ingest.metrics.IngestMetrics;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the framework-free pipeline from configuration. */
public class PipelineProducer {

    @Produces
    @Singleton
    IngestPipeline pipeline(IngestConfig config, IngestMetrics metrics) {
        IngestPolicy policy = new IngestPolicy(config.limits().decodeLimits(), config.strictContentType(),
                config.dedupeCapacity());
        return new IngestPipeline(policy, new PatientPseudonymizer(config.pseudonymisationKey()),
                (outcome, nanos) -> metrics.processed(nanos));
    }
}
