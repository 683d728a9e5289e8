package io.scanstream.training;

import io.scanstream.service.architecture.ServiceArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The layer order of training-service (docs/architecture.md), enforced. From the top: the adapters (REST api,
 * Kafka messaging, Kafka Streams, metrics, the backbone bean) → orchestration (which run when, lifecycle) → run
 * (one run, plain Java) → report → domain (values and the ports the adapters implement). Adapters only know the
 * domain (and configuration); nothing points up; the learning itself is the scan-learning library.
 */
class ArchitectureTest {

    private static final ServiceArchitecture SERVICE = ServiceArchitecture.of("io.scanstream.training");

    @Test
    void layersOnlyPointDown() {
        SERVICE.check(SERVICE.layers("api", "messaging", "streams", "metrics", "backbone", "orchestration", "run", "report", "config",
                        "domain")
                .whereLayer("api").mayNotBeAccessedByAnyLayer()
                .whereLayer("messaging").mayNotBeAccessedByAnyLayer()
                .whereLayer("streams").mayNotBeAccessedByAnyLayer()
                .whereLayer("metrics").mayNotBeAccessedByAnyLayer()
                .whereLayer("backbone").mayNotBeAccessedByAnyLayer()
                .whereLayer("orchestration").mayOnlyBeAccessedByLayers("api")
                .whereLayer("run").mayOnlyBeAccessedByLayers("orchestration")
                .whereLayer("report").mayOnlyBeAccessedByLayers("run", "orchestration", "api")
                .whereLayer("config").mayOnlyBeAccessedByLayers("api", "messaging", "streams", "metrics", "backbone",
                        "orchestration")
                .whereLayer("domain").mayOnlyBeAccessedByLayers("api", "messaging", "streams", "metrics", "backbone",
                        "orchestration", "run", "report", "config"));
    }

    @Test
    void runsAndTheDomainArePlainJava() {
        SERVICE.check(SERVICE.plainJava(List.of("domain", "run", "report")));
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
