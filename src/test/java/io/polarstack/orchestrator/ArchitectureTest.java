package io.polarstack.orchestrator;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The import rules of ARCHITECTURE.md §3. */
@AnalyzeClasses(packages = "io.polarstack.orchestrator", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] INFRASTRUCTURE = {
        "io.fabric8.kubernetes.client..",
        "net.schmizz..",
        "com.hierynomus..",
        "com.github.dockerjava..",
        "java.sql..",
        "javax.sql..",
        "org.postgresql..",
        "com.mysql..",
        "org.springframework.jdbc.."
    };

    @ArchTest
    static final ArchRule delegatesUsePortsNotAdapters = noClasses()
            .that()
            .resideInAPackage("..delegates..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("..adapters..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(INFRASTRUCTURE)
            .because("steps act through ports; adapters and client libraries stay behind them");

    @ArchTest
    static final ArchRule adaptersKnowNoEngine = noClasses()
            .that()
            .resideInAPackage("..adapters..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.camunda..")
            .because("adapters serve ports; the engine is the delegates' business");

    @ArchTest
    static final ArchRule adaptersStayInTheirLane = noClasses()
            .that()
            .resideInAPackage("..adapters..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("..delegates..", "..operator..", "..flows..", "..service..");

    @ArchTest
    static final ArchRule portsAreInterfacesOverTheDomain = noClasses()
            .that()
            .resideInAPackage("..ports..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("..adapters..", "org.camunda..", "org.springframework..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(INFRASTRUCTURE);

    @ArchTest
    static final ArchRule specsArePure = noClasses()
            .that()
            .resideInAPackage("..specs..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.fabric8.kubernetes.client..", "..adapters..", "..ports..", "org.camunda..")
            .because("specs turn a resource into Kubernetes objects without calling anything");

    @ArchTest
    static final ArchRule operatorStartsFlowsButRunsNoStep = noClasses()
            .that()
            .resideInAPackage("..operator..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("..delegates..");

    @ArchTest
    static final ArchRule agentStartsWithoutSpringOrEngine = noClasses()
            .that()
            .resideInAPackage("..agent..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework..", "org.camunda..", "io.fabric8..")
            .because("the manager agent must start in well under a second inside the database pod");

    @ArchTest
    static final ArchRule oneWriterOfClusterStatus = noClasses()
            .that()
            .doNotBelongToAnyOf(ClusterStatusWriter.class)
            .should()
            .callMethod(ClusterResources.class, "updateStatus", String.class, String.class, Consumer.class)
            .because(
                    "ClusterStatusWriter is the one place that writes an MPDCluster's status; everything else asks it");

    @ArchTest
    static final ArchRule flowsImportNeitherAdaptersNorDelegates = noClasses()
            .that()
            .resideInAPackage("io.polarstack.orchestrator.flows..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.polarstack.orchestrator.adapters..", "io.polarstack.orchestrator.delegates..")
            .because("flows hold what starts a flow and its variables; steps and adapters depend on them, not back");

    @ArchTest
    static final ArchRule engineDoesNotImportFlows = noClasses()
            .that()
            .resideInAPackage("io.polarstack.orchestrator.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.polarstack.orchestrator.flows..")
            .because("the engine's plugins serve every flow and know none of them");

    @ArchTest
    static final ArchRule aFlowsDelegatesShareOnlyCommon = slices().matching(
                    "io.polarstack.orchestrator.delegates.(*)..")
            .should()
            .notDependOnEachOther()
            .ignoreDependency(alwaysTrue(), resideInAPackage("io.polarstack.orchestrator.delegates.common.."))
            .because("what two flows' steps share lives in delegates.common");

    @ArchTest
    static final ArchRule onlyTheCommandLineWiresAdaptersByHand = noClasses()
            .that()
            .resideOutsideOfPackages("io.polarstack.orchestrator.adapters..", "io.polarstack.orchestrator.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.polarstack.orchestrator.adapters..")
            .because(
                    "Spring wires the adapters behind the ports; only a command without Spring (image build) builds them");

    /** A reference to a class of ours; group 1 is its package below io.polarstack.orchestrator. */
    private static final Pattern REFERENCE =
            Pattern.compile("io\\.polarstack\\.orchestrator((?:\\.[a-z][a-z0-9]*)*)\\.([A-Z]\\w*|\\*)");

    private static final Pattern PACKAGE =
            Pattern.compile("(?m)^package io\\.polarstack\\.orchestrator((?:\\.[a-z][a-z0-9]*)*);");

    /**
     * The last four rules, read from the source: ArchUnit reads bytecode, where a constant of another class
     * (a variable name, a BpmnError code) leaves no trace, so an import of nothing but constants would pass it.
     */
    @Test
    void theSourceKeepsTheSameRules() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("delegates"))) {
            try (var files = Files.walk(root)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(file);
                    Matcher own = PACKAGE.matcher(text);
                    assertThat(own.find()).as("package of %s", file).isTrue();
                    Matcher reference = REFERENCE.matcher(text);
                    while (reference.find()) {
                        String rule = broken(own.group(1), reference.group(1));
                        if (rule != null) {
                            broken.add(file + " names " + reference.group() + ": " + rule);
                        }
                    }
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** The rule {@code from} breaks by naming a class in {@code to} (packages as ".delegates.failover"), or null. */
    private static String broken(String from, String to) {
        if (under(from, ".flows") && (under(to, ".adapters") || under(to, ".delegates"))) {
            return "flows import neither adapters nor delegates";
        }
        if (under(from, ".engine") && under(to, ".flows")) {
            return "the engine does not import flows";
        }
        if (under(from, ".delegates")
                && under(to, ".delegates")
                && !under(to, ".delegates.common")
                && !flowOf(from).equals(flowOf(to))) {
            return "a flow's delegates import no other flow's";
        }
        if (!under(from, ".adapters") && !under(from, ".cli") && under(to, ".adapters")) {
            return "only the command line builds adapters";
        }
        return null;
    }

    private static boolean under(String pkg, String prefix) {
        return pkg.equals(prefix) || pkg.startsWith(prefix + ".");
    }

    private static String flowOf(String delegatesPackage) {
        int end = delegatesPackage.indexOf('.', ".delegates.".length());
        return end < 0 ? delegatesPackage : delegatesPackage.substring(0, end);
    }
}
