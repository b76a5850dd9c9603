package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.PodExec;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RwWriter;

/**
 * bench/failover: recovery time on the local cluster, 1 RW + 2 RO of PostgreSQL 15 in local mode. (a) unplanned:
 * kill -9 of the RW's postmaster until the first INSERT the new RW accepts, (b) planned: the write outage of a
 * switchover; both seen by an independent client writing every 50 ms through the RW Service. Prints median, p90
 * and max, the median time in each step (from history) and the acknowledged writes lost. Runs: BENCH_RUNS (20).
 * Not part of the test suite (no *IT/*E2E suffix); it asserts nothing about speed.
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FailoverBenchmark {

    static final String NS = "bench-failover-" + System.nanoTime();
    static final int RUNS = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "20"));

    @Autowired
    PodExec exec;
    @Autowired
    HistoryService history;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "failover-bench");
        registry.add("orchestrator.kubernetes.kubeconfig", CreateClusterE2E.KUBECONFIG::toString);
        registry.add("orchestrator.operator.enabled", () -> "true");
        registry.add("orchestrator.operator.namespaces", () -> NS);
        registry.add("orchestrator.operator.lease-namespace", () -> NS);
    }

    @BeforeAll
    static void setUp(KubernetesClient client) throws Exception {
        FailoverE2E.imagesCatalogAndNamespace(client, NS);
        InstanceFlowsE2E.smallClass(client);
    }

    @AfterAll
    static void tearDown(KubernetesClient client) {
        client.resources(MPDCluster.class).inNamespace(NS).withName("pg").delete();
        client.namespaces().withName(NS).delete();
    }

    @Test
    void failoverAndSwitchover(KubernetesClient client) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getClassInfo().setClassName(InstanceFlowsE2E.CLASS);  // small: fits beside other E2Es
        cluster.getSpec().getNetCfg().setEngineStartPort(CreateClusterE2E.freePort());
        client.resource(cluster).create();
        var resource = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");
        FailoverE2E.awaitRunning(resource, NS, Duration.ofMinutes(15), "created");
        String password = FailoverE2E.password(client, resource.get(), NS);

        List<Long> unplanned = new ArrayList<>();
        List<Long> planned = new ArrayList<>();
        List<Long> detection = new ArrayList<>();
        Map<String, List<Long>> unplannedSteps = new TreeMap<>();
        Map<String, List<Long>> plannedSteps = new TreeMap<>();
        long lostUnplanned = 0;
        long lostPlanned = 0;
        try (RwWriter writer = new RwWriter(client, NS, "pg-rw", "aurora", password, Duration.ofMillis(50)).start()) {
            await(Duration.ofSeconds(30), () -> "first writes", () -> writer.acks().size() > 5);
            for (int run = 0; run < RUNS; run++) {
                // (a) unplanned
                String killed = resource.get().getStatus().getLeaderInstanceId();
                var net = resource.get().getStatus().getDbInstanceStatus().get(killed).getNetInfo();
                String killedEndpoint = net.getWorkingHostIP() + ":" + net.getWorkingPort();
                int lostBefore = writer.lost().size();
                long killAt = System.currentTimeMillis();
                FailoverE2E.killPostmaster(exec, resource.get(), NS, killed);
                // A backend of the killed postmaster may still finish a write in flight: count the new RW's first.
                await(Duration.ofMinutes(3), () -> "the first write on a new RW after kill -9 of " + killed,
                        () -> writer.acks().stream().anyMatch(a -> a.at() > killAt && !a.endpoint().equals(killedEndpoint)));
                long firstAck = writer.acks().stream().filter(a -> a.at() > killAt && !a.endpoint().equals(killedEndpoint))
                        .findFirst().orElseThrow().at();
                unplanned.add(firstAck - killAt);
                FailoverE2E.awaitRunningWithout(resource, NS, killed, "failover " + run);
                var failover = lastFailover(killAt);
                detection.add(failover.getStartTime().getTime() - killAt);
                steps(failover.getId(), unplannedSteps);
                lostUnplanned += writer.lost().size() - lostBefore;

                // (b) planned: to the first RO
                String target = FailoverE2E.ros(resource.get()).get(0).getInsId();
                lostBefore = writer.lost().size();
                long switchAt = System.currentTimeMillis();
                FailoverE2E.annotate(resource, "switchRw", target);
                FailoverE2E.awaitLeader(resource, NS, target, "switchover " + run);
                await(Duration.ofSeconds(30), () -> "a write after the switchover", () -> writer.acksAfter(System.currentTimeMillis() - 100) > 0);
                planned.add(writer.outages(switchAt, Duration.ofMillis(0)).stream().mapToLong(RwWriter.Outage::millis).max().orElse(0));
                steps(lastFailover(switchAt).getId(), plannedSteps);
                lostPlanned += writer.lost().size() - lostBefore;
                System.out.printf("run %d: unplanned %d ms (detected after %d ms), planned %d ms%n", run + 1,
                        unplanned.get(run), detection.get(run), planned.get(run));
            }
        }
        System.out.println();
        System.out.printf("failover bench: %d runs each, writer every 50 ms through Service pg-rw%n", RUNS);
        print("unplanned: kill -9 → first INSERT on the new RW", unplanned);
        print("  of which: kill -9 → Failover started (detection)", detection);
        unplannedSteps.forEach((step, times) -> print("  step " + step, times));
        System.out.printf("  acknowledged writes lost: %d (asynchronous replication)%n", lostUnplanned);
        print("planned: longest gap between acknowledged writes", planned);
        plannedSteps.forEach((step, times) -> print("  step " + step, times));
        System.out.printf("  acknowledged writes lost: %d%n", lostPlanned);
    }

    org.camunda.bpm.engine.history.HistoricProcessInstance lastFailover(long after) {
        return history.createHistoricProcessInstanceQuery().processDefinitionKey("Failover").processInstanceBusinessKey(NS + "/pg")
                .startedAfter(new Date(after - 1)).orderByProcessInstanceStartTime().desc().list().get(0);
    }

    void steps(String processInstanceId, Map<String, List<Long>> into) {
        history.createHistoricActivityInstanceQuery().processInstanceId(processInstanceId).activityType("serviceTask").list()
                .forEach(a -> into.computeIfAbsent(a.getActivityId(), k -> new ArrayList<>())
                        .add(a.getDurationInMillis() == null ? 0 : a.getDurationInMillis()));
    }

    static void print(String what, List<Long> values) {
        if (values.isEmpty()) {
            return;
        }
        List<Long> sorted = values.stream().sorted().toList();
        System.out.printf("%-58s median %6d ms  p90 %6d ms  max %6d ms  (n=%d)%n", what, sorted.get((sorted.size() - 1) / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1), sorted.get(sorted.size() - 1), sorted.size());
    }
}
