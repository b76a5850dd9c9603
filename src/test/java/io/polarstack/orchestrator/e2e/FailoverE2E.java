package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.PodExec;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LocalClusterSetup;
import io.polarstack.orchestrator.testing.RwWriter;
import io.polarstack.orchestrator.testing.TestEnvironment;

/**
 * Failover on the local three-node cluster with real PostgreSQL 15 (1 RW + 2 RO, local mode), one cluster through
 * every stage: a planned switchover to a chosen RO, an automatic failover after kill -9 of the RW's postmaster,
 * and a switchover with no promotable RO that waits for a person. An independent client writes every 50 ms
 * through the RW Service the whole time.
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FailoverE2E {

    static final String NS = "e2e-failover-" + System.nanoTime();

    @Autowired
    ManagerClient manager;
    @Autowired
    PodExec exec;
    @Autowired
    HistoryService history;
    @Autowired
    TaskService tasks;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "failover-e2e");
        registry.add("orchestrator.kubernetes.kubeconfig", CreateClusterE2E.KUBECONFIG::toString);
        registry.add("orchestrator.operator.enabled", () -> "true");
        registry.add("orchestrator.operator.namespaces", () -> NS);
        registry.add("orchestrator.operator.lease-namespace", () -> NS);
    }

    @BeforeAll
    static void setUp(KubernetesClient client) throws Exception {
        imagesCatalogAndNamespace(client, NS);
    }

    static void imagesCatalogAndNamespace(KubernetesClient client, String namespace) throws Exception {
        LocalClusterSetup.localImages();
        TestEnvironment.installCrd(client);
        List<HasMetadata> classes = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/catalog-class-polar.o.x4.medium.yaml")));
        classes.forEach(c -> client.resource((ConfigMap) c).forceConflicts().serverSideApply());
        LocalClusterSetup.namespace(client, namespace);
    }

    @AfterAll
    static void dropNamespace(KubernetesClient client) {
        client.resources(MPDCluster.class).inNamespace(NS).withName("pg").delete();
        client.namespaces().withName(NS).delete();
    }

    @Test
    void switchoverFailoverAndNoCandidate(KubernetesClient client) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getNetCfg().setEngineStartPort(CreateClusterE2E.freePort());
        client.resource(cluster).create();
        var resource = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");
        awaitRunning(resource, NS, Duration.ofMinutes(15), "created");
        assertThat(Conditions.get(resource.get().getStatus(), Conditions.AUTO_FAILOVER).getStatus()).isEqualTo("True");
        String password = password(client, resource.get(), NS);

        try (RwWriter writer = new RwWriter(client, NS, "pg-rw", "aurora", password, Duration.ofMillis(50)).start()) {
            await(Duration.ofSeconds(30), () -> "first writes", () -> writer.acks().size() > 5);

            // 1. planned switchover to a chosen RO
            var before = resource.get().getStatus();
            String oldRw = before.getLeaderInstanceId();
            String target = ros(resource.get()).get(0).getInsId();
            long switchAt = System.currentTimeMillis();
            annotate(resource, "switchRw", target);
            awaitLeader(resource, NS, target, "planned switchover");
            await(Duration.ofSeconds(30), () -> "writes through the RW Service to " + target + " after the switchover",
                    () -> writer.acksAfter(switchAt) > 0
                            && writer.endpoint().startsWith(instance(resource.get(), target).getNetInfo().getWorkingHostIP() + ":"));
            assertThat(resource.get().getMetadata().getAnnotations()).doesNotContainKey("switchRw");
            assertReplicatesEverywhere(resource.get(), password, "after switchover");
            assertThat(instance(resource.get(), oldRw).getInsType()).as("the old RW rejoined as an RO").isEqualTo("ro");
            var planned = writer.outages(switchAt, Duration.ofMillis(200));
            System.out.printf("planned switchover: write outages %s%n", planned.stream().map(RwWriter.Outage::millis).toList());
            assertThat(writer.lost()).as("a planned switchover loses no acknowledged write").isEmpty();

            // 2. kill -9 of the RW's postmaster: the HA monitor fails over on its own
            String killed = resource.get().getStatus().getLeaderInstanceId();
            long killAt = System.currentTimeMillis();
            killPostmaster(exec, resource.get(), NS, killed);
            awaitRunningWithout(resource, NS, killed, "failover after kill -9");
            String newRw = resource.get().getStatus().getLeaderInstanceId();
            await(Duration.ofSeconds(30), () -> "writes on the new RW " + newRw, () -> writer.acksAfter(killAt) > 0
                    && writer.endpoint().startsWith(instance(resource.get(), newRw).getNetInfo().getWorkingHostIP() + ":"));
            assertReplicatesEverywhere(resource.get(), password, "after failover");
            assertThat(instance(resource.get(), killed).getInsType()).as("the killed RW rejoined as an RO").isEqualTo("ro");
            var failovers = history.createHistoricProcessInstanceQuery().processDefinitionKey("Failover")
                    .processInstanceBusinessKey(NS + "/pg").startedAfter(new java.util.Date(killAt)).list();
            assertThat(failovers).as("one automatic failover").hasSize(1);
            var unplanned = writer.outages(killAt, Duration.ofMillis(200));
            System.out.printf("failover after kill -9: write outages %s, acknowledged writes lost %s%n",
                    unplanned.stream().map(RwWriter.Outage::millis).toList(), writer.lost());
        }

        // 3. no promotable RO: the requested RO is stopped; a person decides (abort) and nothing changes
        String leader = resource.get().getStatus().getLeaderInstanceId();
        var stopped = ros(resource.get()).get(0);
        annotate(resource, Annotations.AUTO_FAILOVER, "false");
        manager.stop(target(stopped, NS), ManagerClient.StopMode.FAST, 60);
        annotate(resource, "switchRw", stopped.getInsId());
        await(Duration.ofMinutes(1), () -> "the decision task", () -> tasks.createTaskQuery().processInstanceBusinessKey(NS + "/pg")
                .taskDefinitionKey("Task_DecideNoCandidate").count() == 1);
        var task = tasks.createTaskQuery().processInstanceBusinessKey(NS + "/pg").singleResult();
        assertThat((String) tasks.getVariable(task.getId(), "candidateFacts")).contains(stopped.getInsId(), "does not answer");
        tasks.complete(task.getId(), Map.of("decision", "abort"));
        annotate(resource, "switchRw", null);
        manager.start(target(stopped, NS));
        await(Duration.ofMinutes(1), () -> "the aborted Failover ended", () -> resource.get().getStatus().getFlow() == null);
        assertThat(resource.get().getStatus().getLeaderInstanceId()).isEqualTo(leader);
    }

    static void annotate(Resource<MPDCluster> resource, String key, String value) {
        resource.edit(c -> {
            var annotations = new java.util.HashMap<>(c.getMetadata().getAnnotations() == null ? Map.of() : c.getMetadata().getAnnotations());
            if (value == null) {
                annotations.remove(key);
            } else {
                annotations.put(key, value);
            }
            c.getMetadata().setAnnotations(annotations);
            return c;
        });
    }

    static void killPostmaster(PodExec exec, MPDCluster cluster, String namespace, String insId) {
        var target = new PodExec.Target(namespace, instance(cluster, insId).getPodName(), "engine");
        var pid = exec.exec(target, List.of("head", "-1", "/data/postmaster.pid"), new byte[0], Duration.ofSeconds(10)).stdout().strip();
        assertThat(pid).matches("[0-9]+");
        var result = exec.exec(target, List.of("kill", "-9", pid), new byte[0], Duration.ofSeconds(10));
        assertThat(result.exitCode()).as("kill -9 " + pid + ": " + result.stderr()).isZero();
    }

    void assertReplicatesEverywhere(MPDCluster cluster, String password, String note) throws SQLException {
        var rw = instance(cluster, cluster.getStatus().getLeaderInstanceId());
        String marker = note + " " + System.nanoTime();
        try (var c = CreateClusterE2E.connect(rw, password); var st = c.createStatement()) {
            st.execute("create table if not exists marks(note text)");
            st.execute("insert into marks values ('" + marker.replace("'", "''") + "')");
        }
        for (InstanceStatus ro : ros(cluster)) {
            await(Duration.ofSeconds(90), () -> "'" + marker + "' on RO " + ro.getInsId(), () -> {
                try (var c = CreateClusterE2E.connect(ro, password);
                     var st = c.prepareStatement("select 1 from marks where note = ?")) {
                    st.setString(1, marker);
                    try (var rows = st.executeQuery()) {
                        return rows.next();
                    }
                } catch (SQLException e) {
                    return false;
                }
            });
        }
    }

    static void awaitRunning(Resource<MPDCluster> resource, String namespace, Duration bound, String what) {
        await(bound, () -> "MPDCluster " + namespace + "/pg Running (" + what + "); last: " + CreateClusterE2E.describe(resource.get()), () -> {
            var c = resource.get();
            if (c != null && c.getStatus() != null && "Interrupt".equals(c.getStatus().getClusterStatus())) {
                throw new AssertionError("the flow stopped with an incident: " + CreateClusterE2E.describe(c));
            }
            return c != null && c.getStatus() != null && "Running".equals(c.getStatus().getClusterStatus()) && c.getStatus().getFlow() == null;
        });
    }

    /** A Failover moved the RW away from {@code insId} and ended. */
    static void awaitRunningWithout(Resource<MPDCluster> resource, String namespace, String insId, String what) {
        await(Duration.ofMinutes(3), () -> "a new leader instead of " + insId + " (" + what + ") in " + namespace + "; last: "
                + CreateClusterE2E.describe(resource.get()), () -> {
                    var s = resource.get().getStatus();
                    if ("Interrupt".equals(s.getClusterStatus())) {
                        throw new AssertionError("the flow stopped with an incident: " + CreateClusterE2E.describe(resource.get()));
                    }
                    return !insId.equals(s.getLeaderInstanceId()) && "Running".equals(s.getClusterStatus()) && s.getFlow() == null;
                });
    }

    static void awaitLeader(Resource<MPDCluster> resource, String namespace, String insId, String what) {
        await(Duration.ofMinutes(3), () -> insId + " leads (" + what + ") in " + namespace + "; last: " + CreateClusterE2E.describe(resource.get()), () -> {
            var c = resource.get();
            if ("Interrupt".equals(c.getStatus().getClusterStatus())) {
                throw new AssertionError("the flow stopped with an incident: " + CreateClusterE2E.describe(c));
            }
            return insId.equals(c.getStatus().getLeaderInstanceId()) && "Running".equals(c.getStatus().getClusterStatus())
                    && c.getStatus().getFlow() == null;
        });
    }

    static List<InstanceStatus> ros(MPDCluster cluster) {
        return cluster.getStatus().getDbInstanceStatus().values().stream().filter(i -> "ro".equals(i.getInsType()))
                .sorted(java.util.Comparator.comparing(InstanceStatus::getInsId)).toList();
    }

    static InstanceStatus instance(MPDCluster cluster, String insId) {
        return cluster.getStatus().getDbInstanceStatus().get(insId);
    }

    static ManagerClient.Target target(InstanceStatus instance, String namespace) {
        return new ManagerClient.Target(namespace, instance.getPodName(), ManagerClient.Flavour.POSTGRESQL,
                new ManagerClient.Layout(null, null, null, true));
    }

    static String password(KubernetesClient client, MPDCluster cluster, String namespace) {
        var secret = client.secrets().inNamespace(namespace).withName("pg-" + cluster.getStatus().getLogicId() + "-aurora").get();
        return new String(java.util.Base64.getDecoder().decode(secret.getData().get("Password")), StandardCharsets.UTF_8);
    }
}
