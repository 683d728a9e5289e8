package io.scanstream.review;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of review-service (docs/architecture.md), enforced: api (pages) and config (the composition root) on
 * top; metrics under api; the adapters messaging (Kafka) and remote (HTTP clients) used only by config; domain (the
 * view, queries, labelling rule, pictures and the ports) used by all, and plain Java.
 */
class ArchitectureTest {

    private static final String ROOT = "io.scanstream.review";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Api").definedBy(ROOT + ".api..")
                .layer("Config").definedBy(ROOT + ".config..")
                .layer("Metrics").definedBy(ROOT + ".metrics..")
                .layer("Messaging").definedBy(ROOT + ".messaging..")
                .layer("Remote").definedBy(ROOT + ".remote..")
                .layer("Domain").definedBy(ROOT + ".domain..")
                .whereLayer("Api").mayNotBeAccessedByAnyLayer()
                .whereLayer("Config").mayNotBeAccessedByAnyLayer()
                .whereLayer("Metrics").mayOnlyBeAccessedByLayers("Api")
                .whereLayer("Messaging").mayOnlyBeAccessedByLayers("Config")
                .whereLayer("Remote").mayOnlyBeAccessedByLayers("Config")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("Api", "Config", "Metrics", "Messaging", "Remote")
                .check(CLASSES);
    }

    @Test
    void theDomainIsPlainJava() {
        noClasses().that().resideInAPackage(ROOT + ".domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "org.apache.kafka..",
                        "io.smallrye..", "org.eclipse.microprofile..", "io.micrometer..")
                .check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
