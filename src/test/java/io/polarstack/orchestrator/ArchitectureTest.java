package io.polarstack.orchestrator;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The import rules of ARCHITECTURE.md §3. */
@AnalyzeClasses(packages = "io.polarstack.orchestrator", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] INFRASTRUCTURE = {
        "io.fabric8.kubernetes.client..", "net.schmizz..", "com.hierynomus..", "com.github.dockerjava..",
        "java.sql..", "javax.sql..", "org.postgresql..", "com.mysql..", "org.springframework.jdbc.."};

    @ArchTest
    static final ArchRule delegatesUsePortsNotAdapters = noClasses().that().resideInAPackage("..delegates..")
            .should().dependOnClassesThat().resideInAnyPackage("..adapters..")
            .orShould().dependOnClassesThat().resideInAnyPackage(INFRASTRUCTURE)
            .because("steps act through ports; adapters and client libraries stay behind them");

    @ArchTest
    static final ArchRule adaptersKnowNoEngine = noClasses().that().resideInAPackage("..adapters..")
            .should().dependOnClassesThat().resideInAnyPackage("org.camunda..")
            .because("adapters serve ports; the engine is the delegates' business");

    @ArchTest
    static final ArchRule adaptersStayInTheirLane = noClasses().that().resideInAPackage("..adapters..")
            .should().dependOnClassesThat().resideInAnyPackage("..delegates..", "..operator..", "..flows..", "..service..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule portsAreInterfacesOverTheDomain = noClasses().that().resideInAPackage("..ports..")
            .should().dependOnClassesThat().resideInAnyPackage("..adapters..", "org.camunda..", "org.springframework..")
            .orShould().dependOnClassesThat().resideInAnyPackage(INFRASTRUCTURE);

    @ArchTest
    static final ArchRule specsArePure = noClasses().that().resideInAPackage("..specs..")
            .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes.client..", "..adapters..", "..ports..",
                    "org.camunda..")
            .because("specs turn a resource into Kubernetes objects without calling anything");

    @ArchTest
    static final ArchRule operatorStartsFlowsButRunsNoStep = noClasses().that().resideInAPackage("..operator..")
            .should().dependOnClassesThat().resideInAnyPackage("..delegates..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule agentStartsWithoutSpringOrEngine = noClasses().that().resideInAPackage("..agent..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.camunda..", "io.fabric8..")
            .because("the manager agent must start in well under a second inside the database pod");

    @ArchTest
    static final ArchRule flowsImportNeitherAdaptersNorDelegates = noClasses().that()
            .resideInAPackage("io.polarstack.orchestrator.flows..")
            .should().dependOnClassesThat().resideInAnyPackage("io.polarstack.orchestrator.adapters..",
                    "io.polarstack.orchestrator.delegates..")
            .because("flows hold what starts a flow and its variables; steps and adapters depend on them, not back");

    @ArchTest
    static final ArchRule engineDoesNotImportFlows = noClasses().that().resideInAPackage("io.polarstack.orchestrator.engine..")
            .should().dependOnClassesThat().resideInAPackage("io.polarstack.orchestrator.flows..")
            .because("the engine's plugins serve every flow and know none of them");

    @ArchTest
    static final ArchRule aFlowsDelegatesShareOnlyCommon = slices().matching("io.polarstack.orchestrator.delegates.(*)..")
            .should().notDependOnEachOther()
            .ignoreDependency(alwaysTrue(), resideInAPackage("io.polarstack.orchestrator.delegates.common.."))
            .because("what two flows' steps share lives in delegates.common");

    @ArchTest
    static final ArchRule onlyTheCommandLineWiresAdaptersByHand = noClasses().that()
            .resideOutsideOfPackages("io.polarstack.orchestrator.adapters..", "io.polarstack.orchestrator.cli..")
            .should().dependOnClassesThat().resideInAPackage("io.polarstack.orchestrator.adapters..")
            .because("Spring wires the adapters behind the ports; only a command without Spring (image build) builds them");
}
