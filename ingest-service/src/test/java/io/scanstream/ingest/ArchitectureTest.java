package io.scanstream.ingest;

import io.scanstream.service.architecture.ServiceArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The layers of ingest-service (docs/architecture.md), enforced: the adapters api (REST uploads, DICOMweb) and
 * messaging (the transactional Kafka loop) on top; health (liveness from the transactions) under messaging; config
 * (builds the pipeline) under them; metrics (observers) under config; domain ({@code IngestPipeline}, plain Java)
 * at the bottom, used by all.
 */
class ArchitectureTest {

    private static final ServiceArchitecture SERVICE = ServiceArchitecture.of("io.scanstream.ingest");

    @Test
    void layersOnlyPointDown() {
        SERVICE.check(SERVICE.layers("api", "messaging", "health", "config", "metrics", "domain")
                .whereLayer("api").mayNotBeAccessedByAnyLayer()
                .whereLayer("messaging").mayNotBeAccessedByAnyLayer()
                .whereLayer("health").mayOnlyBeAccessedByLayers("messaging")
                .whereLayer("config").mayOnlyBeAccessedByLayers("api", "messaging", "health")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("messaging", "config")
                .whereLayer("domain").mayOnlyBeAccessedByLayers("api", "messaging", "health", "config", "metrics"));
    }

    /** Kafka's header type is the one exception: scan-core's codecs read a scan's CloudEvents attributes from it. */
    @Test
    void theDomainIsPlainJava() {
        SERVICE.check(SERVICE.plainJava(List.of("domain"), "org.apache.kafka.common.header.."));
    }

    @Test
    void packagesHaveNoCycles() {
        SERVICE.check(SERVICE.noPackageCycles());
    }

    @Test
    void noPackageRepeatsTheServiceName() {
        SERVICE.check(SERVICE.noPackageRepeatsTheServiceName());
    }
}
