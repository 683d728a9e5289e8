package io.scanstream.review;

import io.scanstream.service.architecture.ServiceArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The layers of review-service (docs/architecture.md), enforced: api (pages) and config (the composition root) on
 * top; metrics under api; the adapters messaging (Kafka) and remote (HTTP clients) used only by config; domain (the
 * view, queries, labelling rule, pictures and the ports) used by all, and plain Java.
 */
class ArchitectureTest {

    private static final ServiceArchitecture SERVICE = ServiceArchitecture.of("io.scanstream.review");

    @Test
    void layersOnlyPointDown() {
        SERVICE.check(SERVICE.layers("api", "config", "metrics", "messaging", "remote", "domain")
                .whereLayer("api").mayNotBeAccessedByAnyLayer()
                .whereLayer("config").mayNotBeAccessedByAnyLayer()
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("api")
                .whereLayer("messaging").mayOnlyBeAccessedByLayers("config")
                .whereLayer("remote").mayOnlyBeAccessedByLayers("config")
                .whereLayer("domain").mayOnlyBeAccessedByLayers("api", "config", "metrics", "messaging", "remote"));
    }

    @Test
    void theDomainIsPlainJava() {
        SERVICE.check(SERVICE.plainJava(List.of("domain")));
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
