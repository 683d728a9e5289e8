package io.scanstream.inference;

import io.scanstream.service.architecture.ServiceArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The layer order of inference-service (docs/architecture.md), enforced. From the top: api (REST, health) →
 * pipeline (the composition root: starts and wires the scan path) → metrics (observers) → messaging (Kafka
 * transport: the scan loop, the model-version consumer) → config → domain (what a scan's result is and means,
 * the head versions) → batching (the generic dynamic batcher). Nothing points up; no cycles.
 */
class ArchitectureTest {

    private static final ServiceArchitecture SERVICE = ServiceArchitecture.of("io.scanstream.inference");

    @Test
    void layersOnlyPointDown() {
        SERVICE.check(SERVICE.layers("api", "pipeline", "metrics", "messaging", "config", "domain", "batching")
                .whereLayer("api").mayNotBeAccessedByAnyLayer()
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("api")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("pipeline")
                .whereLayer("messaging").mayOnlyBeAccessedByLayers("api", "pipeline", "metrics")
                .whereLayer("config").mayOnlyBeAccessedByLayers("api", "pipeline", "metrics", "messaging")
                .whereLayer("domain").mayOnlyBeAccessedByLayers("api", "pipeline", "metrics", "messaging")
                .whereLayer("batching").mayOnlyBeAccessedByLayers("api", "pipeline", "metrics", "messaging", "domain"));
    }

    @Test
    void theDomainAndTheBatcherArePlainJava() {
        SERVICE.check(SERVICE.plainJava(List.of("domain", "batching")));
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
