package io.scanstream.inference;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layer order of inference-service (docs/architecture.md), enforced. From the top: api (REST, health) →
 * pipeline (the composition root: starts and wires the scan path) → metrics (observers) → messaging (Kafka
 * transport: the scan loop, the model-version consumer) → config → domain (what a scan's result is and means,
 * the head versions) → batching (the generic dynamic batcher). Nothing points up; no cycles.
 */
class ArchitectureTest {

    private static final String ROOT = "io.scanstream.inference";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Api").definedBy(ROOT + ".api..")
                .layer("Pipeline").definedBy(ROOT + ".pipeline..")
                .layer("Metrics").definedBy(ROOT + ".metrics..")
                .layer("Messaging").definedBy(ROOT + ".messaging..")
                .layer("Config").definedBy(ROOT + ".config..")
                .layer("Domain").definedBy(ROOT + ".domain..")
                .layer("Batching").definedBy(ROOT + ".batching..")
                .whereLayer("Api").mayNotBeAccessedByAnyLayer()
                .whereLayer("Pipeline").mayOnlyBeAccessedByLayers("Api")
                .whereLayer("Metrics").mayOnlyBeAccessedByLayers("Pipeline")
                .whereLayer("Messaging").mayOnlyBeAccessedByLayers("Api", "Pipeline", "Metrics")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Api", "Pipeline", "Metrics", "Messaging")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("Api", "Pipeline", "Metrics", "Messaging")
                .whereLayer("Batching").mayOnlyBeAccessedByLayers("Api", "Pipeline", "Metrics", "Messaging", "Domain")
                .check(CLASSES);
    }

    @Test
    void theDomainAndTheBatcherArePlainJava() {
        noClasses().that().resideInAnyPackage(ROOT + ".domain..", ROOT + ".batching..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "org.apache.kafka..",
                        "io.smallrye..", "org.eclipse.microprofile..", "io.micrometer..")
                .check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
