package io.scanstream.learning;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The learning library stays a plain-Java library: no service framework, no Kafka, no cycles between its packages. */
class LearningLibraryArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.scanstream.learning");

    @Test
    void usesNeitherQuarkusNorKafka() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus..", "org.apache.kafka..", "jakarta..", "io.smallrye.reactive..")
                .check(CLASSES);
    }

    @Test
    void knowsNothingOfTheServices() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.scanstream.training..", "io.scanstream.inference..", "io.scanstream.ingest..",
                        "io.scanstream.service..")
                .check(CLASSES);
    }

    @Test
    void buildsNoAdamWhoseStateNobodyReleases() {
        // DJL's Adam keeps its moments outside every NDManager: each one built and dropped leaked them natively
        noClasses().should().callMethod(ai.djl.training.optimizer.Adam.Builder.class, "build")
                .because("ReleasableAdam.of(Optimizer.adam()...) releases the optimiser's state when closed")
                .check(CLASSES);
    }

    @Test
    void hasNoPackageCycles() {
        slices().matching("io.scanstream.learning.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
