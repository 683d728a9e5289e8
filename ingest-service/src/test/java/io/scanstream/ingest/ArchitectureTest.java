package io.scanstream.ingest;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of ingest-service (docs/architecture.md), enforced: the adapters api (REST uploads, DICOMweb) and
 * messaging (the transactional Kafka loop) on top; health (liveness from the transactions) under messaging; config
 * (builds the pipeline) under them; metrics (observers) under config; domain ({@code IngestPipeline}, plain Java)
 * at the bottom, used by all.
 */
class ArchitectureTest {

    private static final String ROOT = "io.scanstream.ingest";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Api").definedBy(ROOT + ".api..")
                .layer("Messaging").definedBy(ROOT + ".messaging..")
                .layer("Health").definedBy(ROOT + ".health..")
                .layer("Config").definedBy(ROOT + ".config..")
                .layer("Metrics").definedBy(ROOT + ".metrics..")
                .layer("Domain").definedBy(ROOT + ".domain..")
                .whereLayer("Api").mayNotBeAccessedByAnyLayer()
                .whereLayer("Messaging").mayNotBeAccessedByAnyLayer()
                .whereLayer("Health").mayOnlyBeAccessedByLayers("Messaging")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Api", "Messaging", "Health")
                .whereLayer("Metrics").mayOnlyBeAccessedByLayers("Messaging", "Config")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("Api", "Messaging", "Health", "Config", "Metrics")
                .check(CLASSES);
    }

    /** Kafka's header type is the one exception: scan-core's codecs read a scan's CloudEvents attributes from it. */
    @Test
    void theDomainIsPlainJava() {
        noClasses().that().resideInAPackage(ROOT + ".domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..",
                        "org.eclipse.microprofile..", "org.apache.kafka.clients..", "org.apache.kafka.streams..")
                .check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noPackageRepeatsTheServiceName() {
        noClasses().should().resideInAPackage(ROOT + ".ingest..").check(CLASSES);
    }
}
