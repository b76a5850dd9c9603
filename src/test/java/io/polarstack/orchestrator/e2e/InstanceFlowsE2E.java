package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.instance;
import static io.polarstack.orchestrator.testing.RunningCluster.ros;
import static io.polarstack.orchestrator.testing.RunningCluster.rw;
import static io.polarstack.orchestrator.testing.RunningCluster.slots;
import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RunningCluster;
import io.polarstack.orchestrator.testing.RwWriter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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
    static final Duration FLOW_BOUND = Duration.ofMinutes(8);

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    @Autowired
    HistoryService history;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        pg.operatorProperties(registry);
    }

    @Test
    void migrateRebuildAddAndRemoveInstances() throws Exception {
        long started = System.currentTimeMillis();
        pg.create(1, RunningCluster.SMALL, Duration.ofMinutes(10));
        pg.assertTopology(pg.get(), 1);
        pg.assertReplicates(pg.get(), "after creation");
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
        var before = pg.get();
        var old = ros(before).get(0);
        String target = pg.freeNode(before);
        pg.annotate(Annotations.MIGRATE, old.getInsId() + "|" + target);
        var after = awaitFlowDone(
                "RO " + old.getInsId() + " migrated to " + target,
                c -> !c.getStatus().getDbInstanceStatus().containsKey(old.getInsId()));

        var moved = inSlot(after, old.getPhysicalInsId());
        assertThat(moved.getInsId()).as("a new instance id").isNotEqualTo(old.getInsId());
        assertThat(moved.getInsType()).isEqualTo(InstanceRole.RO);
        assertThat(moved.getNodeName()).isEqualTo(target);
        assertThat(moved.getReplacesInsId())
                .as("cleared once the old entry went")
                .isNull();
        assertThat(after.getStatus().getLeaderInstanceId())
                .isEqualTo(before.getStatus().getLeaderInstanceId());
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Annotations.MIGRATE);
        assertSettled(after, old.getPodName(), "after the RO migration");
        stage("migrate RO", started);
    }

    /** 2. The RW moves to the free node under a writer: writes resume through the RW Service, none lost. */
    void migrateRw() throws Exception {
        long started = System.currentTimeMillis();
        var before = pg.get();
        var old = rw(before);
        String target = pg.freeNode(before);
        try (RwWriter writer = pg.writer()) {
            long migrateAt = System.currentTimeMillis();
            pg.annotate(Annotations.MIGRATE, old.getInsId() + "|" + target);
            var after = awaitFlowDone(
                    "RW " + old.getInsId() + " migrated to " + target,
                    c -> !c.getStatus().getDbInstanceStatus().containsKey(old.getInsId()));

            String leader = after.getStatus().getLeaderInstanceId();
            var moved = instance(after, leader);
            assertThat(leader).as("a new RW instance").isNotEqualTo(old.getInsId());
            assertThat(moved.getPhysicalInsId()).as("in the old RW's slot").isEqualTo(old.getPhysicalInsId());
            assertThat(moved.getInsType()).isEqualTo(InstanceRole.RW);
            assertThat(moved.getNodeName()).isEqualTo(target);
            assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Annotations.MIGRATE);
            await(
                    Duration.ofSeconds(60),
                    () -> "writes through the RW Service to " + leader + " after the migration",
                    () -> writer.acksAfter(System.currentTimeMillis() - 1000) > 0
                            && writer.endpoint().startsWith(moved.getNetInfo().getWorkingHostIP() + ":"));
            assertSettled(after, old.getPodName(), "after the RW migration");
            var outages = writer.outages(migrateAt, Duration.ofMillis(200));
            System.out.printf(
                    "RW migration: write outages %s ms (%d writes acknowledged in all); the flow's own figure: %s%n",
                    outages.stream().map(RwWriter.Outage::millis).toList(),
                    writer.acks().size(),
                    pg.events("RwSwitched"));
            pg.printFailoverSteps(history, "RW migration", migrateAt);
            assertThat(writer.lost())
                    .as("acknowledged writes missing on the new RW")
                    .isEmpty();
        }
        stage("migrate RW", started);
    }

    /**
     * 3. An RO's data directory is emptied and its engine killed, so it cannot come back by itself: the HA monitor
     * marks it failed and the trigger table's RebuildRo row replaces it in its slot.
     */
    void rebuildRoWithoutData() throws Exception {
        long started = System.currentTimeMillis();
        var before = pg.get();
        var old = ros(before).get(0);
        // kill -9 after the removal: the supervisor then finds no install marker and leaves the engine down.
        var destroyed = pg.exec(
                old.getPodName(),
                "engine",
                List.of(
                        "sh",
                        "-c",
                        "pid=$(head -1 /data/postmaster.pid) && find /data -mindepth 1 -delete && kill -9 \"$pid\""),
                Duration.ofSeconds(30));
        assertThat(destroyed.exitCode())
                .as("destroying the data dir: " + destroyed.stderr())
                .isZero();

        var after = awaitFlowDone(
                "RO " + old.getInsId() + " rebuilt",
                c -> !c.getStatus().getDbInstanceStatus().containsKey(old.getInsId()));
        assertThat(pg.events("RoFailed"))
                .as("the HA monitor marked it failed")
                .anyMatch(m -> m.contains(old.getInsId()));
        assertThat(history.createHistoricProcessInstanceQuery()
                        .processDefinitionKey(FlowKeys.REBUILD_INSTANCE)
                        .processInstanceBusinessKey(pg.businessKey())
                        .count())
                .as("RebuildInstance started by the trigger table")
                .isEqualTo(1);
        var rebuilt = inSlot(after, old.getPhysicalInsId());
        assertThat(rebuilt.getInsId()).isNotEqualTo(old.getInsId());
        assertThat(rebuilt.getInsType()).isEqualTo(InstanceRole.RO);
        assertThat(rebuilt.getCurrentState().getState()).isNotEqualToIgnoringCase("failed");
        assertThat(after.getStatus().getLeaderInstanceId())
                .isEqualTo(before.getStatus().getLeaderInstanceId());
        assertSettled(after, old.getPodName(), "after the rebuild");
        stage("rebuild RO", started);
    }

    /** 4. followerNum 2 adds an RO in a new slot; removeIns removes a named RO; removeIns of the RW is refused. */
    void addAndRemoveRos() throws Exception {
        long started = System.currentTimeMillis();
        var before = pg.get();
        Set<String> slots = slots(before);
        pg.resource().edit(c -> {
            c.getSpec().setFollowerNum(2);
            return c;
        });
        var added = awaitFlowDone("a second RO", c -> ros(c).size() == 2);
        var newRo = ros(added).stream()
                .filter(i -> !slots.contains(i.getPhysicalInsId()))
                .toList();
        assertThat(newRo).as("one RO in a new slot").hasSize(1);
        pg.assertTopology(added, 2);
        pg.assertReplicates(added, "after AddRo");
        stage("add RO", started);

        started = System.currentTimeMillis();
        // The older RO, not the newest: any RO may be named.
        var removed = ros(added).stream()
                .filter(i -> !i.getInsId().equals(newRo.get(0).getInsId()))
                .findFirst()
                .orElseThrow();
        pg.annotate(Annotations.REMOVE_INS, removed.getInsId());
        var after = awaitFlowDone(
                "RO " + removed.getInsId() + " removed",
                c -> !c.getStatus().getDbInstanceStatus().containsKey(removed.getInsId()));
        assertThat(after.getSpec().getFollowerNum())
                .as("followerNum follows, so AddRo does not put it back")
                .isEqualTo(1);
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Annotations.REMOVE_INS);
        assertThat(ros(after))
                .extracting(InstanceStatus::getInsId)
                .containsExactly(newRo.get(0).getInsId());
        assertThat(pg.events("RoRemoved")).anyMatch(m -> m.contains(removed.getInsId()));
        assertSettled(after, removed.getPodName(), "after RemoveRo");
        stage("remove RO", started);

        started = System.currentTimeMillis();
        String rw = after.getStatus().getLeaderInstanceId();
        var pods = pg.podNames();
        pg.annotate(Annotations.REMOVE_INS, rw);
        var refused = awaitFlowDone(
                "removeIns=" + rw + " refused",
                c -> c.getMetadata().getAnnotations() == null
                        || !c.getMetadata().getAnnotations().containsKey(Annotations.REMOVE_INS));
        var condition = Conditions.get(refused.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition).as("OperationAvailable").isNotNull();
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("RW_NOT_REMOVABLE");
        assertThat(condition.getMessage()).contains(rw, "switchRw");
        assertThat(pg.events("RW_NOT_REMOVABLE")).anyMatch(m -> m.contains(rw));
        assertThat(refused.getStatus().getLeaderInstanceId()).isEqualTo(rw);
        assertThat(refused.getStatus().getDbInstanceStatus().keySet())
                .isEqualTo(after.getStatus().getDbInstanceStatus().keySet());
        assertThat(refused.getSpec().getFollowerNum()).isEqualTo(1);
        assertThat(pg.podNames()).isEqualTo(pods);
        pg.assertReplicates(refused, "after the refusal");
        stage("refuse removing the RW", started);
    }

    /** Waits until the flow the last request started has ended, {@code done} holds and the cluster is Running. */
    MPDCluster awaitFlowDone(String what, Predicate<MPDCluster> done) {
        return pg.awaitDone(FLOW_BOUND, what, done);
    }

    /** The replaced instance's pod is gone, the one RW and one RO are whole, and a new row replicates. */
    void assertSettled(MPDCluster after, String oldPod, String note) {
        pg.awaitPodGone(oldPod);
        pg.assertTopology(after, 1);
        pg.assertReplicates(after, note);
    }

    static InstanceStatus inSlot(MPDCluster cluster, String physicalInsId) {
        var found = cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(i -> physicalInsId.equals(i.getPhysicalInsId()))
                .toList();
        assertThat(found).as("instances in slot " + physicalInsId).hasSize(1);
        return found.get(0);
    }

    void stage(String name, long startedAt) {
        System.out.printf("stage %s done in %.1f s%n", name, (System.currentTimeMillis() - startedAt) / 1000.0);
    }
}
