package io.scanstream.training;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layer order of training-service (docs/architecture.md), enforced. From the top: the adapters (REST api,
 * Kafka messaging, Kafka Streams, metrics, the backbone bean) → orchestration (which run when, lifecycle) → run
 * (one run, plain Java) → report → domain (values and the ports the adapters implement). Adapters only know the
 * domain (and configuration); nothing points up; the learning itself is the scan-learning library.
 */
class ArchitectureTest {

    private static final String ROOT = "io.scanstream.training";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Api").definedBy(ROOT + ".api..")
                .layer("Messaging").definedBy(ROOT + ".messaging..")
                .layer("Streams").definedBy(ROOT + ".streams..")
                .layer("Metrics").definedBy(ROOT + ".metrics..")
                .layer("Backbone").definedBy(ROOT + ".backbone..")
                .layer("Orchestration").definedBy(ROOT + ".orchestration..")
                .layer("Run").definedBy(ROOT + ".run..")
                .layer("Report").definedBy(ROOT + ".report..")
                .layer("Config").definedBy(ROOT + ".config..")
                .layer("Domain").definedBy(ROOT + ".domain..")
                .whereLayer("Api").mayNotBeAccessedByAnyLayer()
                .whereLayer("Messaging").mayNotBeAccessedByAnyLayer()
                .whereLayer("Streams").mayNotBeAccessedByAnyLayer()
                .whereLayer("Metrics").mayNotBeAccessedByAnyLayer()
                .whereLayer("Backbone").mayNotBeAccessedByAnyLayer()
                .whereLayer("Orchestration").mayOnlyBeAccessedByLayers("Api")
                .whereLayer("Run").mayOnlyBeAccessedByLayers("Orchestration")
                .whereLayer("Report").mayOnlyBeAccessedByLayers("Run", "Orchestration", "Api")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Api", "Messaging", "Streams", "Metrics", "Backbone",
                        "Orchestration")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("Api", "Messaging", "Streams", "Metrics", "Backbone",
                        "Orchestration", "Run", "Report", "Config")
                .check(CLASSES);
    }

    @Test
    void runsAndTheDomainArePlainJava() {
        noClasses().that().resideInAnyPackage(ROOT + ".domain..", ROOT + ".run..", ROOT + ".report..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "org.apache.kafka..",
                        "io.smallrye..", "org.eclipse.microprofile..")
                .check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noPackageRepeatsTheServiceName() {
        noClasses().should().resideInAPackage(ROOT + ".training..").check(CLASSES);
    }
}
