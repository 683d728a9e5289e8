package io.scanstream.ingest.config;

import io.scanstream.core.dicom.DicomWindowing;
import io.scanstream.core.dicom.HounsfieldWindow;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.ingest.domain.IngestPipeline;
import io.scanstream.ingest.domain.IngestPolicy;
import io.scanstream.ingest.metrics.IngestMetrics;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.core.privacy.PseudonymisationKeys;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the framework-free pipeline from configuration. */
@Singleton
public class PipelineProducer {

    private static final Logger LOG = Logger.getLogger(PipelineProducer.class);

    /** Placeholders and weak keys stop the start (docs/security.md, "Secrets"), before anything is pseudonymised. */
    void refuseWeakKeys(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, IngestConfig config) {
        try {
            PseudonymisationKeys.requireStrong(config.pseudonymisationKey());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("ingest.pseudonymisation-key refused: " + e.getMessage(), e);
        }
    }

    /** The decode workers of the pipeline, when it decodes in parallel; shut down with this bean. */
    private ExecutorService decodePool;

    @Produces
    @Singleton
    IngestPipeline pipeline(IngestConfig config, IngestMetrics metrics) {
        IngestPolicy policy = new IngestPolicy(decodeLimits(config), config.strictContentType(),
                config.dedupeCapacity(), dicomWindowing(config));
        int parallelism = config.decode().decodeParallelism();
        Executor decodes = IngestPipeline.ON_CALLING_THREAD;
        if (parallelism > 1) {
            decodePool = decodePool(parallelism);
            decodes = decodePool;
        }
        LOG.infof("ingest.decode parallelism=%d maxRasterBytes=%d", parallelism, policy.limits().maxRasterBytes());
        return new IngestPipeline(policy, config.pseudonymisationKey(), (outcome, nanos) -> metrics.processed(nanos),
                decodes);
    }

    /**
     * A fixed pool of daemon threads {@code ingest-decode-1..n}: daemons, so that a decode stuck in a decoder never
     * keeps the JVM from exiting (its batch was not committed and is read again).
     */
    static ExecutorService decodePool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("decode parallelism must be at least 1, was " + parallelism);
        }
        AtomicInteger next = new AtomicInteger();
        return Executors.newFixedThreadPool(parallelism, task -> {
            Thread thread = new Thread(task, "ingest-decode-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void stopDecoding() {
        if (decodePool == null) {
            return;
        }
        // A batch still decoding fails its transaction (its tasks are refused) and is read again by the next owner.
        decodePool.shutdown();
        try {
            if (!decodePool.awaitTermination(5, TimeUnit.SECONDS)) {
                decodePool.shutdownNow();
            }
        } catch (InterruptedException e) {
            decodePool.shutdownNow();
            Thread.currentThread().interrupt();
        }
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
