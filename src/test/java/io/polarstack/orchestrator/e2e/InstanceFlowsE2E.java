package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.e2e.FailoverE2E.annotate;
import static io.polarstack.orchestrator.e2e.FailoverE2E.instance;
import static io.polarstack.orchestrator.e2e.FailoverE2E.ros;
import static io.polarstack.orchestrator.testing.Await.await;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.PodExec;
import io.polarstack.orchestrator.specs.Labels;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RwWriter;

/**
 * The flows built on ReplaceInstance on the local three-node cluster with real PostgreSQL 15 (local mode), one
 * cluster through ordered stages: migrate an RO, migrate the RW under an independent writer, rebuild an RO whose
 * data directory was destroyed, add an RO, remove a named RO, and refuse to remove the RW. The cluster starts with
 * one RO: a node holds one instance of a cluster, so a migration needs the third node free.
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InstanceFlowsE2E {

    static final String NS = "e2e-instances-" + System.nanoTime();
    static final String CLASS = "polar.o.x1.e2e";
    static final Duration FLOW_BOUND = Duration.ofMinutes(8);

    @Autowired
    PodExec exec;
    @Autowired
    HistoryService history;

    KubernetesClient client;
    Resource<MPDCluster> resource;
    String password;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "instance-flows-e2e");
        registry.add("orchestrator.kubernetes.kubeconfig", CreateClusterE2E.KUBECONFIG::toString);
        registry.add("orchestrator.operator.enabled", () -> "true");
        registry.add("orchestrator.operator.namespaces", () -> NS);
        registry.add("orchestrator.operator.lease-namespace", () -> NS);
    }

    @BeforeAll
    static void setUp(KubernetesClient client) throws Exception {
        FailoverE2E.imagesCatalogAndNamespace(client, NS);
        smallClass(client);
    }

    /** A small class, so a cluster's instances fit beside other E2Es' clusters on the three nodes. */
    static void smallClass(KubernetesClient client) throws java.io.IOException {
        List<HasMetadata> classes = Serialization.unmarshal(
                Files.readString(Path.of("src/test/resources/e2e/catalog-class-" + CLASS + ".yaml")));
        classes.forEach(c -> client.resource((ConfigMap) c).forceConflicts().serverSideApply());
    }

    @AfterAll
    static void dropCluster(KubernetesClient client) {
        // DeleteCluster stops the engines while the operator still runs; the namespace takes the rest.
        var cluster = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");
        cluster.delete();
        try {
            await(Duration.ofMinutes(3), () -> "MPDCluster " + NS + "/pg deleted", () -> cluster.get() == null);
        } finally {
            client.namespaces().withName(NS).delete();
        }
    }

    @Test
    void migrateRebuildAddAndRemoveInstances(KubernetesClient client) throws Exception {
        this.client = client;
        long started = System.currentTimeMillis();
        MPDCluster cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        cluster.getSpec().setFollowerNum(1);
        cluster.getSpec().getClassInfo().setClassName(CLASS);
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getNetCfg().setEngineStartPort(CreateClusterE2E.freePort());
        client.resource(cluster).create();
        resource = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");
        FailoverE2E.awaitRunning(resource, NS, Duration.ofMinutes(10), "created");
        password = FailoverE2E.password(client, resource.get(), NS);
        assertTopology(resource.get(), 1);
        assertReplicates(resource.get(), "after creation");
        stage("create", started);

        migrateRo();
        migrateRw();
        rebuildRoWithoutData();
        addAndRemoveRos();

        System.out.printf("whole test: %.1f s%n", (System.currentTimeMillis() - started) / 1000.0);
    }

    /** 1. An RO moves to the free node: a new instance in its slot there, the old one gone. */
    void migrateRo() throws Exception {
        long started = System.currentTimeMillis();
        var before = resource.get();
        var old = ros(before).get(0);
        String target = freeNode(before);
        annotate(resource, "migrate", old.getInsId() + "|" + target);
        var after = awaitFlowDone("RO " + old.getInsId() + " migrated to " + target,
                c -> !c.getStatus().getDbInstanceStatus().containsKey(old.getInsId()));

        var moved = inSlot(after, old.getPhysicalInsId());
        assertThat(moved.getInsId()).as("a new instance id").isNotEqualTo(old.getInsId());
        assertThat(moved.getInsType()).isEqualTo("ro");
        assertThat(moved.getNodeName()).isEqualTo(target);
        assertThat(moved.getReplacesInsId()).as("cleared once the old entry went").isNull();
        assertThat(after.getStatus().getLeaderInstanceId()).isEqualTo(before.getStatus().getLeaderInstanceId());
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("migrate");
        awaitPodGone(old.getPodName());
        assertTopology(after, 1);
        assertReplicates(after, "after the RO migration");
        stage("migrate RO", started);
    }

    /** 2. The RW moves to the free node under a writer: writes resume through the RW Service, none lost. */
    void migrateRw() throws Exception {
        long started = System.currentTimeMillis();
        var before = resource.get();
        var old = instance(before, before.getStatus().getLeaderInstanceId());
        String target = freeNode(before);
        try (RwWriter writer = new RwWriter(client, NS, "pg-rw", "aurora", password, Duration.ofMillis(50)).start()) {
            await(Duration.ofSeconds(30), () -> "first writes", () -> writer.acks().size() > 5);
            long migrateAt = System.currentTimeMillis();
            annotate(resource, "migrate", old.getInsId() + "|" + target);
            var after = awaitFlowDone("RW " + old.getInsId() + " migrated to " + target,
                    c -> !c.getStatus().getDbInstanceStatus().containsKey(old.getInsId()));

            String leader = after.getStatus().getLeaderInstanceId();
            var moved = instance(after, leader);
            assertThat(leader).as("a new RW instance").isNotEqualTo(old.getInsId());
            assertThat(moved.getPhysicalInsId()).as("in the old RW's slot").isEqualTo(old.getPhysicalInsId());
            assertThat(moved.getInsType()).isEqualTo("rw");
            assertThat(moved.getNodeName()).isEqualTo(target);
            assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("migrate");
            await(Duration.ofSeconds(60), () -> "writes through the RW Service to " + leader + " after the migration",
                    () -> writer.acksAfter(System.currentTimeMillis() - 1000) > 0
                            && writer.endpoint().startsWith(moved.getNetInfo().getWorkingHostIP() + ":"));
            awaitPodGone(old.getPodName());
            assertTopology(after, 1);
            assertReplicates(after, "after the RW migration");
            var outages = writer.outages(migrateAt, Duration.ofMillis(200));
            System.out.printf("RW migration: write outages %s ms (%d writes acknowledged in all); the flow's own figure: %s%n",
                    outages.stream().map(RwWriter.Outage::millis).toList(), writer.acks().size(), events("RwSwitched"));
            printSwitchoverSteps(migrateAt);
            assertThat(writer.lost()).as("acknowledged writes missing on the new RW").isEmpty();
        }
        stage("migrate RW", started);
    }

    /**
     * 3. An RO's data directory is emptied and its engine killed, so it cannot come back by itself: the HA monitor
     * marks it failed and the trigger table's RebuildRo row replaces it in its slot.
     */
    void rebuildRoWithoutData() throws Exception {
        long started = System.currentTimeMillis();
        var before = resource.get();
        var old = ros(before).get(0);
        var engine = new PodExec.Target(NS, old.getPodName(), "engine");
        // kill -9 after the removal: the supervisor then finds no install marker and leaves the engine down.
        var destroyed = exec.exec(engine, List.of("sh", "-c",
                "pid=$(head -1 /data/postmaster.pid) && find /data -mindepth 1 -delete && kill -9 \"$pid\""),
                new byte[0], Duration.ofSeconds(30));
        assertThat(destroyed.exitCode()).as("destroying the data dir: " + destroyed.stderr()).isZero();

        var after = awaitFlowDone("RO " + old.getInsId() + " rebuilt",
                c -> !c.getStatus().getDbInstanceStatus().containsKey(old.getInsId()));
        assertThat(events("RoFailed")).as("the HA monitor marked it failed").anyMatch(m -> m.contains(old.getInsId()));
        assertThat(history.createHistoricProcessInstanceQuery().processDefinitionKey("RebuildInstance")
                .processInstanceBusinessKey(NS + "/pg").count()).as("RebuildInstance started by the trigger table").isEqualTo(1);
        var rebuilt = inSlot(after, old.getPhysicalInsId());
        assertThat(rebuilt.getInsId()).isNotEqualTo(old.getInsId());
        assertThat(rebuilt.getInsType()).isEqualTo("ro");
        assertThat(rebuilt.getCurrentState().getState()).isNotEqualToIgnoringCase("failed");
        assertThat(after.getStatus().getLeaderInstanceId()).isEqualTo(before.getStatus().getLeaderInstanceId());
        awaitPodGone(old.getPodName());
        assertTopology(after, 1);
        assertReplicates(after, "after the rebuild");
        stage("rebuild RO", started);
    }

    /** 4. followerNum 2 adds an RO in a new slot; removeIns removes a named RO; removeIns of the RW is refused. */
    void addAndRemoveRos() throws Exception {
        long started = System.currentTimeMillis();
        var before = resource.get();
        Set<String> slots = slots(before);
        resource.edit(c -> {
            c.getSpec().setFollowerNum(2);
            return c;
        });
        var added = awaitFlowDone("a second RO", c -> ros(c).size() == 2);
        var newRo = ros(added).stream().filter(i -> !slots.contains(i.getPhysicalInsId())).toList();
        assertThat(newRo).as("one RO in a new slot").hasSize(1);
        assertTopology(added, 2);
        assertReplicates(added, "after AddRo");
        stage("add RO", started);

        started = System.currentTimeMillis();
        // The older RO, not the newest: any RO may be named.
        var removed = ros(added).stream().filter(i -> !i.getInsId().equals(newRo.get(0).getInsId())).findFirst().orElseThrow();
        annotate(resource, "removeIns", removed.getInsId());
        var after = awaitFlowDone("RO " + removed.getInsId() + " removed",
                c -> !c.getStatus().getDbInstanceStatus().containsKey(removed.getInsId()));
        assertThat(after.getSpec().getFollowerNum()).as("followerNum follows, so AddRo does not put it back").isEqualTo(1);
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("removeIns");
        assertThat(ros(after)).extracting(InstanceStatus::getInsId).containsExactly(newRo.get(0).getInsId());
        assertThat(events("RoRemoved")).anyMatch(m -> m.contains(removed.getInsId()));
        awaitPodGone(removed.getPodName());
        assertTopology(after, 1);
        assertReplicates(after, "after RemoveRo");
        stage("remove RO", started);

        started = System.currentTimeMillis();
        String rw = after.getStatus().getLeaderInstanceId();
        var pods = podNames();
        annotate(resource, "removeIns", rw);
        var refused = awaitFlowDone("removeIns=" + rw + " refused", c -> c.getMetadata().getAnnotations() == null
                || !c.getMetadata().getAnnotations().containsKey("removeIns"));
        var condition = Conditions.get(refused.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition).as("OperationAvailable").isNotNull();
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("RW_NOT_REMOVABLE");
        assertThat(condition.getMessage()).contains(rw, "switchRw");
        assertThat(events("RW_NOT_REMOVABLE")).anyMatch(m -> m.contains(rw));
        assertThat(refused.getStatus().getLeaderInstanceId()).isEqualTo(rw);
        assertThat(refused.getStatus().getDbInstanceStatus().keySet()).isEqualTo(after.getStatus().getDbInstanceStatus().keySet());
        assertThat(refused.getSpec().getFollowerNum()).isEqualTo(1);
        assertThat(podNames()).isEqualTo(pods);
        assertReplicates(refused, "after the refusal");
        stage("refuse removing the RW", started);
    }

    /** Where the switchover's time went: the steps of the Failover that MigrateInstance called. */
    void printSwitchoverSteps(long since) {
        for (var failover : history.createHistoricProcessInstanceQuery().processDefinitionKey("Failover")
                .startedAfter(new java.util.Date(since)).list()) {
            var steps = history.createHistoricActivityInstanceQuery().processInstanceId(failover.getId()).activityType("serviceTask")
                    .orderByHistoricActivityInstanceStartTime().asc().list().stream()
                    .map(a -> a.getActivityId() + " " + a.getDurationInMillis() + " ms").toList();
            System.out.printf("RW migration: Failover steps %s%n", steps);
        }
    }

    /** Waits until the flow the last request started has ended, {@code done} holds and the cluster is Running. */
    MPDCluster awaitFlowDone(String what, Predicate<MPDCluster> done) {
        await(FLOW_BOUND, () -> what + " in " + NS + "; last: " + CreateClusterE2E.describe(resource.get()), () -> {
            var c = resource.get();
            if ("Interrupt".equals(c.getStatus().getClusterStatus())) {
                throw new AssertionError("the flow stopped with an incident: " + CreateClusterE2E.describe(c));
            }
            return done.test(c) && "Running".equals(c.getStatus().getClusterStatus()) && c.getStatus().getFlow() == null;
        });
        return resource.get();
    }

    /**
     * One RW and {@code ros} ROs, nothing half-made, each on its own node with one pod of the right role label, and
     * on the RW exactly one active replication slot per RO.
     */
    void assertTopology(MPDCluster cluster, int ros) throws SQLException {
        var instances = cluster.getStatus().getDbInstanceStatus().values();
        assertThat(instances).extracting(InstanceStatus::getInsType).as("types")
                .containsExactlyInAnyOrder(types(ros).toArray(String[]::new));
        assertThat(instances).extracting(InstanceStatus::getNodeName).as("one instance per node").doesNotHaveDuplicates();
        assertThat(instances).extracting(InstanceStatus::getReplacesInsId).containsOnlyNulls();
        await(Duration.ofMinutes(2), () -> "exactly the pods of " + instances.stream().map(InstanceStatus::getPodName).toList()
                + ", Ready, on their nodes; now " + podNames(), () -> podNames().equals(
                        instances.stream().map(InstanceStatus::getPodName).collect(java.util.stream.Collectors.toSet())));
        for (InstanceStatus i : instances) {
            Pod pod = client.pods().inNamespace(NS).withName(i.getPodName()).get();
            assertThat(pod.getSpec().getNodeName()).as("node of " + i.getPodName()).isEqualTo(i.getNodeName());
            assertThat(pod.getMetadata().getLabels()).as("labels of " + i.getPodName()).containsEntry(Labels.ROLE, i.getInsType())
                    .containsEntry(Labels.SLOT, i.getPhysicalInsId()).containsEntry(Labels.INSTANCE, i.getInsId());
        }
        var rw = instance(cluster, cluster.getStatus().getLeaderInstanceId());
        Set<String> expected = new HashSet<>();
        for (InstanceStatus ro : ros(cluster)) {
            expected.add("replica_" + cluster.getStatus().getLogicId() + "_" + ro.getInsId());
        }
        await(Duration.ofSeconds(60), () -> "active slots " + expected + " on the RW " + rw.getInsId(), () -> {
            try (var c = CreateClusterE2E.connect(rw, password); var st = c.createStatement();
                 var rows = st.executeQuery("select slot_name, active from pg_replication_slots")) {
                Set<String> slotsNow = new HashSet<>();
                boolean allActive = true;
                while (rows.next()) {
                    slotsNow.add(rows.getString(1));
                    allActive &= rows.getBoolean(2);
                }
                return slotsNow.equals(expected) && allActive;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    /**
     * A new row is written on the RW, then every RO must hold all of the RW's rows: the ones written before a move
     * (carried by the new instance's base backup) and the new one (streamed).
     */
    void assertReplicates(MPDCluster cluster, String note) {
        var rw = instance(cluster, cluster.getStatus().getLeaderInstanceId());
        long rows;
        try (var c = CreateClusterE2E.connect(rw, password); var st = c.createStatement();
             var insert = c.prepareStatement("insert into marks values (?)")) {
            st.execute("create table if not exists marks(note text)");
            insert.setString(1, note + " " + System.nanoTime());
            insert.executeUpdate();
            rows = count(c);
        } catch (SQLException e) {
            throw new AssertionError("writing on the RW " + rw.getInsId() + ": " + e.getMessage(), e);
        }
        for (InstanceStatus ro : ros(cluster)) {
            await(Duration.ofSeconds(90), () -> "all " + rows + " rows of marks (" + note + ") on RO " + ro.getInsId(), () -> {
                try (var c = CreateClusterE2E.connect(ro, password)) {
                    return count(c) == rows;
                } catch (SQLException e) {
                    return false;
                }
            });
        }
    }

    static long count(java.sql.Connection c) throws SQLException {
        try (var st = c.createStatement(); var rows = st.executeQuery("select count(*) from marks")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    void awaitPodGone(String pod) {
        await(Duration.ofMinutes(2), () -> "pod " + pod + " gone", () -> client.pods().inNamespace(NS).withName(pod).get() == null);
    }

    /** The cluster's pods that are not being deleted. */
    Set<String> podNames() {
        Set<String> names = new HashSet<>();
        for (Pod p : client.pods().inNamespace(NS).withLabel(Labels.CLUSTER, "pg").list().getItems()) {
            if (p.getMetadata().getDeletionTimestamp() == null) {
                names.add(p.getMetadata().getName());
            }
        }
        return names;
    }

    String freeNode(MPDCluster cluster) {
        Set<String> used = new HashSet<>();
        cluster.getStatus().getDbInstanceStatus().values().forEach(i -> used.add(i.getNodeName()));
        return client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).filter(n -> !used.contains(n))
                .sorted().findFirst().orElseThrow(() -> new AssertionError("no node free of " + used));
    }

    static InstanceStatus inSlot(MPDCluster cluster, String physicalInsId) {
        var found = cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(i -> physicalInsId.equals(i.getPhysicalInsId())).toList();
        assertThat(found).as("instances in slot " + physicalInsId).hasSize(1);
        return found.get(0);
    }

    static Set<String> slots(MPDCluster cluster) {
        Set<String> slots = new HashSet<>();
        cluster.getStatus().getDbInstanceStatus().values().forEach(i -> slots.add(i.getPhysicalInsId()));
        return slots;
    }

    static List<String> types(int ros) {
        List<String> types = new ArrayList<>(List.of("rw"));
        for (int i = 0; i < ros; i++) {
            types.add("ro");
        }
        return types;
    }

    /** Messages of the namespace's events with this reason. */
    List<String> events(String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream().filter(e -> reason.equals(e.getReason()))
                .map(e -> e.getMessage() == null ? "" : e.getMessage()).toList();
    }

    void stage(String name, long startedAt) {
        System.out.printf("stage %s done in %.1f s%n", name, (System.currentTimeMillis() - startedAt) / 1000.0);
    }
}
