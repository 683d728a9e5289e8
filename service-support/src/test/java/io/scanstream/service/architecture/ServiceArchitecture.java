package io.scanstream.service.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture rules every service's {@code ArchitectureTest} applies alike (docs/architecture.md), in one place:
 * layers named by their package under the service's root, plain-Java packages free of the frameworks, no package
 * cycles, no package that repeats the service's name. What differs per service, its layer order, stays in its test.
 */
public final class ServiceArchitecture {

    /** What a plain-Java package (a domain, a run, a batcher) must not touch: the service frameworks and Kafka. */
    public static final List<String> FRAMEWORKS = List.of("io.quarkus..", "jakarta..", "io.smallrye..",
            "org.eclipse.microprofile..", "io.micrometer..", "org.apache.kafka..");

    private final String root;
    private final JavaClasses classes;

    private ServiceArchitecture(String root) {
        this.root = root;
        this.classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(root);
    }

    /** The service's main classes (not its tests) under {@code rootPackage}, e.g. {@code io.scanstream.ingest}. */
    public static ServiceArchitecture of(String rootPackage) {
        return new ServiceArchitecture(rootPackage);
    }

    /**
     * A layered architecture whose layers are the given packages under the root, each layer named by its package
     * ({@code "domain"} is {@code ROOT.domain..}); only dependencies between them count. The test says who may
     * access which.
     */
    public LayeredArchitecture layers(String... packages) {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String p : packages) {
            layers = layers.layer(p).definedBy(root + "." + p + "..");
        }
        return layers;
    }

    /**
     * The given packages under the root depend on none of {@link #FRAMEWORKS}, except the named packages (e.g.
     * Kafka's header type, which scan-core's codecs read CloudEvents attributes from).
     */
    public ArchRule plainJava(List<String> packages, String... allowed) {
        String[] inPackages = packages.stream().map(p -> root + "." + p + "..").toArray(String[]::new);
        DescribedPredicate<JavaClass> forbidden = resideInAnyPackage(FRAMEWORKS.toArray(String[]::new));
        if (allowed.length > 0) {
            forbidden = forbidden.and(DescribedPredicate.not(resideInAnyPackage(allowed)));
        }
        return noClasses().that().resideInAnyPackage(inPackages).should().dependOnClassesThat(forbidden)
                .as("classes in " + Arrays.toString(inPackages) + " should be plain Java"
                        + (allowed.length == 0 ? "" : " (but for " + Arrays.toString(allowed) + ")"));
    }

    public ArchRule noPackageCycles() {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    /** {@code io.scanstream.ingest.ingest..} says nothing its root does not. */
    public ArchRule noPackageRepeatsTheServiceName() {
        return noClasses().should().resideInAPackage(root + root.substring(root.lastIndexOf('.')) + "..");
    }

    public void check(ArchRule rule) {
        rule.check(classes);
    }
}
