package io.polarstack.orchestrator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.adapters.jdbc.JdbcEngineProbe;
import io.polarstack.orchestrator.adapters.k8s.TestClusterResources;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.specs.AccountSecrets;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import io.polarstack.orchestrator.testing.TestEngines;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The HA monitor on the real kube-apiserver, with an in-memory engine (stub Failover and "another flow" models that
 * only wait), the real operator holding a real Lease, and a real PostgreSQL as the RW: healthy means nothing starts;
 * a stopped RW starts one unplanned Failover; the annotation switch; a flow holding the cluster; a failed RO.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaMonitorIT {

    static final String NS = "ha-monitor-" + System.nanoTime();
    static final String PASSWORD = "aurora-" + Long.toHexString(System.nanoTime());
    static final String LOGIC_ID = "1000";
    static final String RW = "1002";
    static final String RO = "1004";

    KubernetesClient admin;
    ClusterResources resources;
    ProcessEngine engine;
    ClusterFlows flows;
    ClusterOperator operator;
    JdbcEngineProbe probe;
    SimpleMeterRegistry meters;
    HaMonitor monitor;
    ScratchPostgres pg;
    int deadPort;

    @BeforeAll
    void setUp() throws Exception {
        pg = ScratchPostgres.start("aurora", PASSWORD);
        deadPort = ScratchPostgres.freePort();
        admin = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(admin);
        TestEnvironment.createNamespace(admin, NS);
        resources = TestClusterResources.of(admin);

        engine = TestEngines.inMemory("ha-monitor-it", new HashMap<>());
        var deployment = engine.getRepositoryService().createDeployment().name("ha-monitor-it stubs");
        for (String stub : List.of("failover-stub", "hold-stub")) {
            // deployed as .bpmn so the engine parses it; kept as .bpmn.xml on the classpath (see the files)
            deployment.addInputStream(stub + ".bpmn", getClass().getResourceAsStream("/ha/" + stub + ".bpmn.xml"));
        }
        deployment.deploy();

        var properties = new OrchestratorProperties(
                Map.of(),
                null,
                null,
                null,
                new OrchestratorProperties.Operator(
                        true, null, List.of(NS), NS, "ha-monitor-it", NS, Duration.ofMinutes(1), false, 0),
                new OrchestratorProperties.Ha(
                        true,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(20)));
        flows = new ClusterFlows(
                engine.getRuntimeService(), engine.getRepositoryService(), engine.getManagementService(), properties);
        operator = new ClusterOperator(resources, new ClusterStatusWriter(resources), flows, properties);
        operator.start();
        await("this replica leads", () -> operator.leading(), Duration.ofSeconds(30));
        probe = new JdbcEngineProbe();
        meters = new SimpleMeterRegistry();
        monitor = new HaMonitor(
                resources, new ClusterStatusWriter(resources), flows, operator, probe, properties, meters);
        monitor.start();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (monitor != null) {
            monitor.stop();
        }
        if (operator != null) {
            operator.stop();
        }
        if (probe != null) {
            probe.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (admin != null) {
            admin.resources(MPDCluster.class).inNamespace(NS).list().getItems().forEach(c -> {
                c.getMetadata().setFinalizers(List.of());
                admin.resource(c).update();
            });
            admin.namespaces().withName(NS).delete();
            admin.close();
        }
    }

    // ---- the clusters ----

    /** A cluster as CreateCluster leaves it: Running, AutoFailover on, the aurora Secret, a RW (and maybe an RO). */
    MPDCluster cluster(String name, String clusterStatus, int rwPort, Integer roPort, Map<String, String> annotations)
            throws Exception {
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName(name);
        cluster.getMetadata().setAnnotations(annotations);
        cluster.getSpec().setFollowerNum(roPort == null ? 0 : 1);
        cluster = admin.resource(cluster).create();
        admin.resource(AccountSecrets.build(cluster, LOGIC_ID, AccountSecrets.Account.AURORA, PASSWORD))
                .create();
        return resources.updateStatus(NS, name, status -> {
            status.setClusterStatus(clusterStatus);
            status.setLogicId(LOGIC_ID);
            status.setLeaderInstanceId(RW);
            Map<String, InstanceStatus> instances = new HashMap<>(Map.of(RW, instance(RW, "rw", rwPort)));
            if (roPort != null) {
                instances.put(RO, instance(RO, "ro", roPort));
            }
            status.setDbInstanceStatus(instances);
            Conditions.set(status, Conditions.AUTO_FAILOVER, true, "Enabled", "EnableHa");
        });
    }

    static InstanceStatus instance(String insId, String type, int port) {
        InstanceStatus instance = new InstanceStatus();
        instance.setInsId(insId);
        instance.setInsType(type);
        InstanceNetwork net = new InstanceNetwork();
        net.setWorkingHostIP("127.0.0.1");
        net.setWorkingPort(port);
        instance.setNetInfo(net);
        InstanceState running = new InstanceState();
        running.setState("RUNNING");
        instance.setCurrentState(running);
        return instance;
    }

    MPDCluster get(String name) {
        return admin.resources(MPDCluster.class).inNamespace(NS).withName(name).get();
    }

    MPDCluster awaitCluster(String name, String what, Predicate<MPDCluster> condition) throws InterruptedException {
        await(name + ": " + what, () -> condition.test(get(name)), Duration.ofSeconds(30));
        return get(name);
    }

    static void await(String what, Supplier<Boolean> condition, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    List<ProcessInstance> running(String name) {
        return engine.getRuntimeService()
                .createProcessInstanceQuery()
                .processInstanceBusinessKey(NS + "/" + name)
                .list();
    }

    long failoversEver(String name) {
        return engine.getHistoryService()
                .createHistoricProcessInstanceQuery()
                .processDefinitionKey("Failover")
                .processInstanceBusinessKey(NS + "/" + name)
                .count();
    }

    long events(String name, String reason) {
        return admin.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .count();
    }

    static String condition(MPDCluster cluster, String type) {
        var condition = Conditions.get(cluster.getStatus(), type);
        return condition == null ? null : condition.getStatus() + "/" + condition.getReason();
    }

    double probes(String name, String outcome) {
        return meters
                .find("polarstack.ha.probe")
                .tag("cluster", NS + "/" + name)
                .tag("outcome", outcome)
                .timers()
                .stream()
                .mapToDouble(t -> t.count())
                .sum();
    }

    double counted(String meter, String name, String decision) {
        var search = meters.find(meter).tag("cluster", NS + "/" + name);
        if (decision != null) {
            search = search.tag("decision", decision);
        }
        return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    // ---- the tests ----

    @Test
    @Order(1)
    void aHealthyRwIsProbedAndNothingStarts() throws Exception {
        cluster("healthy", "Running", pg.port(), null, Map.of());
        await("healthy probes", () -> probes("healthy", "ok") >= 4, Duration.ofSeconds(15));
        assertThat(running("healthy")).isEmpty();
        assertThat(probes("healthy", "refused") + probes("healthy", "timeout") + probes("healthy", "error"))
                .isZero();
        assertThat(meters.find("polarstack.ha.probe")
                        .tag("cluster", NS + "/healthy")
                        .timer()
                        .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                .as("latency is recorded")
                .isPositive();
    }

    @Test
    @Order(2)
    void theAnnotationTurnsAutomaticFailoverOffAndTheConditionSaysHow() throws Exception {
        cluster("manual", "Running", deadPort, null, Map.of(Annotations.AUTO_FAILOVER, "false"));
        var off = awaitCluster(
                "manual",
                "AutoFailover False by annotation",
                c -> "False/DisabledByAnnotation".equals(condition(c, Conditions.AUTO_FAILOVER)));
        assertThat(Conditions.get(off.getStatus(), Conditions.AUTO_FAILOVER).getMessage())
                .contains("autoFailover-");
        Thread.sleep(3000);
        assertThat(probes("manual", "refused"))
                .as("a switched-off cluster is still probed: its synchronous standbys are kept")
                .isPositive();
        assertThat(running("manual")).as("but its dead RW is never failed over").isEmpty();
    }

    @Test
    @Order(3)
    void aFailedRwWaitsForAFlowThatRunsAndTakesOverOneThatIsBlocked() throws Exception {
        var hold = flows.start("HaTestHold", NS, "held", Map.of());
        cluster("held", "RestartIns", deadPort, null, Map.of());
        var waiting = awaitCluster(
                "held",
                "says a failover is pending",
                c -> "True/FlowHoldsCluster".equals(condition(c, Conditions.FAILOVER_PENDING)));
        assertThat(Conditions.get(waiting.getStatus(), Conditions.FAILOVER_PENDING)
                        .getMessage())
                .contains("RW " + RW)
                .contains("REFUSED")
                .contains("until HaTestHold ends");
        Thread.sleep(2000);
        assertThat(running("held"))
                .singleElement()
                .satisfies(p -> assertThat(p.getId()).isEqualTo(hold.getId()));
        assertThat(events("held", "FailoverPending"))
                .as("said once, not every second")
                .isEqualTo(1);
        assertThat(counted("polarstack.ha.decisions", "held", "pending")).isEqualTo(1);

        // The flow gets stuck at an incident: now it is in the way, and Failover takes over.
        engine.getRuntimeService().createIncident("ha-it", hold.getId(), "Task_Wait", "the step cannot reach the RW");
        var failover = awaitCluster(
                "held",
                "Failover started, no longer pending",
                c -> "Failover"
                                .equals(
                                        c.getStatus().getFlow() == null
                                                ? null
                                                : c.getStatus().getFlow().getName())
                        && "False/FailoverStarted".equals(condition(c, Conditions.FAILOVER_PENDING)));
        assertThat(failover.getStatus().getClusterStatus()).isEqualTo(ClusterState.SWITCH_RW);
        var cancelled = engine.getHistoryService()
                .createHistoricProcessInstanceQuery()
                .processInstanceId(hold.getId())
                .singleResult();
        assertThat(cancelled.getDeleteReason()).contains("RW " + RW + " failed").contains("Failover takes over");
        assertThat(running("held"))
                .singleElement()
                .satisfies(p -> assertThat(p.getProcessDefinitionId()).startsWith("Failover:"));
        assertThat(counted("polarstack.ha.decisions", "held", "takeover")).isEqualTo(1);
    }

    @Test
    @Order(4)
    void aFailedRoIsMarkedFailedAndSetBackWhenItAnswersBeforeARebuild() throws Exception {
        cluster("ro", "Running", pg.port(), deadPort, Map.of());
        var marked = awaitCluster(
                "ro", "RO marked failed", c -> "FAILED".equals(state(c, RO).getState()));
        assertThat(state(marked, RO).getReason()).startsWith("HaMonitor: REFUSED for ");
        assertThat(marked.getStatus()
                        .getDbInstanceStatus()
                        .get(RO)
                        .getLastState()
                        .getState())
                .isEqualTo("RUNNING");
        assertThat(state(marked, RW).getState()).isEqualTo("RUNNING");
        assertThat(running("ro")).as("no failover for an RO").isEmpty();
        assertThat(events("ro", "RoFailed")).isEqualTo(1);

        // It answers again (here: it is found at the running server) before any rebuild started.
        resources.updateStatus(
                NS,
                "ro",
                status -> status.getDbInstanceStatus().get(RO).getNetInfo().setWorkingPort(pg.port()));
        var back = awaitCluster(
                "ro", "RO set back", c -> "RUNNING".equals(state(c, RO).getState()));
        assertThat(back.getStatus().getDbInstanceStatus().get(RO).getLastState().getState())
                .isEqualTo("FAILED");
        assertThat(counted("polarstack.ha.decisions", "ro", "ro-recovered")).isEqualTo(1);
    }

    static InstanceState state(MPDCluster cluster, String insId) {
        return cluster.getStatus().getDbInstanceStatus().get(insId).getCurrentState();
    }

    @Test
    @Order(5)
    void aStoppedRwIsFailedOverOnceAndASwitchedOffClusterIsNot() throws Exception {
        long stopped = System.nanoTime();
        pg.stopServer();
        await("a Failover for healthy", () -> failoversEver("healthy") > 0, Duration.ofSeconds(10));
        System.out.printf("Failover started %d ms after the RW stopped%n", (System.nanoTime() - stopped) / 1_000_000);
        var instance = running("healthy").get(0);
        var variables = engine.getRuntimeService().getVariables(instance.getId());
        assertThat(variables)
                .containsEntry("planned", false)
                .containsEntry("failedInsId", RW)
                .containsEntry(FlowKeys.NAMESPACE, NS)
                .containsEntry(FlowKeys.NAME, "healthy");
        assertThat((String) variables.get("reason")).startsWith("REFUSED");
        assertThat(variables.values()).noneMatch(v -> String.valueOf(v).contains(PASSWORD));

        var cluster = get("healthy");
        assertThat(cluster.getStatus().getClusterStatus()).isEqualTo(ClusterState.SWITCH_RW);
        assertThat(cluster.getStatus().getFlow().getProcessInstanceId()).isEqualTo(instance.getId());
        // The monitor records its event once the flow has started, so the event may follow the flow by a moment.
        await("the AutoFailover event", () -> events("healthy", "AutoFailover") > 0, Duration.ofSeconds(10));
        assertThat(events("healthy", "FlowStarted")).isEqualTo(1);

        Thread.sleep(3000); // the RW stays dead: still one Failover
        assertThat(events("healthy", "AutoFailover")).isEqualTo(1);
        assertThat(failoversEver("healthy")).isEqualTo(1);
        assertThat(counted("polarstack.ha.failovers", "healthy", null)).isEqualTo(1);
        assertThat(counted("polarstack.ha.decisions", "healthy", "failover")).isEqualTo(1);
        assertThat(probes("healthy", "refused")).isPositive();

        assertThat(running("manual")).as("automatic failover is off there").isEmpty();
        assertThat(condition(get("manual"), Conditions.AUTO_FAILOVER)).isEqualTo("False/DisabledByAnnotation");
    }

    @Test
    @Order(6)
    void removingTheAnnotationTurnsItOnAgain() throws Exception {
        admin.resources(MPDCluster.class).inNamespace(NS).withName("manual").edit(c -> {
            c.getMetadata().getAnnotations().remove(Annotations.AUTO_FAILOVER);
            return c;
        });
        var on = awaitCluster(
                "manual",
                "AutoFailover True again",
                c -> "True/Enabled".equals(condition(c, Conditions.AUTO_FAILOVER)));
        assertThat(on).isNotNull();
        await("its dead RW is failed over now", () -> failoversEver("manual") == 1, Duration.ofSeconds(10));
    }
}
