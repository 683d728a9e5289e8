package io.scanstream.ingest.config;

import io.scanstream.core.dicom.DicomWindowing;
import io.scanstream.core.dicom.HounsfieldWindow;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.ingest.domain.IngestPolicy;
import io.scanstream.ingest.metrics.IngestMetrics;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.core.privacy.PseudonymisationKeys;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Singleton;

/** Builds the framework-free pipeline from configuration. */
@Singleton
public class PipelineProducer {

    /** Placeholders and weak keys stop the start (docs/security.md, "Secrets"), before anything is pseudonymised. */
    void refuseWeakKeys(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, IngestConfig config) {
        try {
            PseudonymisationKeys.requireStrong(config.pseudonymisationKey());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("ingest.pseudonymisation-key refused: " + e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    IngestPipeline pipeline(IngestConfig config, IngestMetrics metrics) {
        IngestPolicy policy = new IngestPolicy(decodeLimits(config), config.strictContentType(),
                config.dedupeCapacity(), dicomWindowing(config));
        return new IngestPipeline(policy, config.pseudonymisationKey(), (outcome, nanos) -> metrics.processed(nanos));
    }

    /** The configured limits; each unset one is {@link DecodeLimits#DEFAULT}'s. */
    public static DecodeLimits decodeLimits(IngestConfig config) {
        return config.limits().decodeLimits();
    }

    static DicomWindowing dicomWindowing(IngestConfig config) {
        IngestConfig.Dicom dicom = config.dicom();
        return new DicomWindowing(new HounsfieldWindow(dicom.windowLevel(), dicom.windowWidth()),
                dicom.windowSource() == IngestConfig.Dicom.WindowSource.FILE);
    }
}
