package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.instance;
import static io.polarstack.orchestrator.testing.RunningCluster.ros;
import static io.polarstack.orchestrator.testing.RunningCluster.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LoopbackCut;
import io.polarstack.orchestrator.testing.RunningCluster;
import io.polarstack.orchestrator.testing.RwWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Failover on the local three-node cluster with real PostgreSQL 15 (1 RW + 2 RO, local mode, dataDurability
 * required), one cluster through every stage, in order. An independent client writes every 50 ms through the RW
 * Service and records a key only once its commit returned; after every failover each recorded key must be on the
 * new RW, and one missing key fails the test.
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverE2E {

    static final String NS = "e2e-failover-" + System.nanoTime();
    static final int ROUNDS = 10;
    static final Duration STARTUP_GRACE = Duration.ofSeconds(8);

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    @Autowired
    ManagerClient manager;

    @Autowired
    HistoryService history;

    @Autowired
    TaskService tasks;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        pg.operatorProperties(registry);
        registry.add("orchestrator.ha.startup-grace", STARTUP_GRACE::toString);
    }

    @Test
    @Order(1)
    void everyInstanceCarriesTheQuorumOfSynchronousRos() throws Exception {
        var cluster = pg.create(2, RunningCluster.SMALL, Duration.ofMinutes(15));
        assertThat(Conditions.get(cluster.getStatus(), Conditions.AUTO_FAILOVER).getStatus())
                .isEqualTo("True");
        assertThat(pg.awaitCondition(Conditions.SYNCHRONOUS_REPLICATION, true, "Synchronous", Duration.ofSeconds(30)))
                .contains("dataDurability required");
        for (InstanceStatus ro : ros(cluster)) {
            String name = "replica_" + ro.getPhysicalInsId() + "_" + ro.getInsId();
            await(
                    Duration.ofSeconds(30),
                    () -> "every instance lists " + name + " in synchronous_standby_names",
                    () -> cluster.getStatus().getDbInstanceStatus().values().stream()
                            .allMatch(i -> pg.setting(i, "synchronous_standby_names")
                                    .matches("ANY 1 \\(.*\"" + name + "\".*\\)")));
        }
        pg.assertTopology(cluster, 2);
    }

    @Test
    @Order(2)
    void tenFailoversAndTenSwitchoversLoseNoAcknowledgedWrite() throws Exception {
        List<Long> unplanned = new ArrayList<>();
        List<Long> planned = new ArrayList<>();
        try (RwWriter writer = pg.writer()) {
            for (int round = 1; round <= ROUNDS; round++) {
                String killed = pg.get().getStatus().getLeaderInstanceId();
                long killAt = System.currentTimeMillis();
                pg.killPostmaster(killed);
                String newRw = pg.awaitLeaderOtherThan(killed, "failover " + round + " after kill -9")
                        .getStatus()
                        .getLeaderInstanceId();
                awaitWritesOn(writer, newRw, killAt);
                assertThat(instance(pg.get(), killed).getInsType())
                        .as("the killed RW rejoined as an RO")
                        .isEqualTo(InstanceRole.RO);
                assertThat(failoversSince(killAt)).as("one automatic failover").isEqualTo(1);
                assertThat(writer.lost())
                        .as("acknowledged writes missing on the new RW after failover " + round)
                        .isEmpty();
                unplanned.add(longest(writer.outages(killAt, Duration.ofMillis(200))));
            }
            for (int round = 1; round <= ROUNDS; round++) {
                String target = ros(pg.get()).get(round % 2).getInsId();
                long switchAt = System.currentTimeMillis();
                pg.annotate(Annotations.SWITCH_RW, target);
                pg.awaitLeader(target, "switchover " + round);
                awaitWritesOn(writer, target, switchAt);
                assertThat(pg.get().getMetadata().getAnnotations()).doesNotContainKey(Annotations.SWITCH_RW);
                assertThat(writer.lost())
                        .as("acknowledged writes missing on the new RW after switchover " + round)
                        .isEmpty();
                planned.add(longest(writer.outages(switchAt, Duration.ofMillis(200))));
            }
            System.out.printf(
                    "%d failovers, longest write gap each (ms): %s; %d switchovers: %s; %d acknowledged writes, none"
                            + " lost%n",
                    ROUNDS, unplanned, ROUNDS, planned, writer.acks().size());
        }
        pg.assertReplicates(pg.get(), "after the failovers");
    }

    @Test
    @Order(3)
    void aRwInStartupIsLeftAloneWithinTheGraceAndFailedOverAfterIt() throws Exception {
        String leader = pg.get().getStatus().getLeaderInstanceId();
        long heldAt = System.currentTimeMillis();
        String startup = holdInStartup(leader);
        Thread.sleep(STARTUP_GRACE.toMillis() / 2);
        resume(leader, startup);
        await(
                Duration.ofSeconds(60),
                () -> "the RW " + leader + " answers again after its crash recovery",
                () -> answers(rw(pg.get())));
        Thread.sleep(STARTUP_GRACE.toMillis());
        assertThat(failoversSince(heldAt))
                .as("a RW starting up for less than the grace is not failed over")
                .isZero();
        assertThat(pg.get().getStatus().getLeaderInstanceId()).isEqualTo(leader);

        long heldAgainAt = System.currentTimeMillis();
        String again = holdInStartup(leader);
        try {
            // held until the fence stops it: a RW still starting up past the grace is failed over
            pg.awaitLeaderOtherThan(leader, "failover of a RW held in startup");
        } finally {
            resume(leader, again); // a no-op once the fence ended it
        }
        assertThat(failoversSince(heldAgainAt)).isEqualTo(1);
        assertThat(pg.events("AutoFailover")).anyMatch(m -> m.contains(leader) && m.contains("57P03"));
    }

    @Test
    @Order(4)
    void requiredWaitsWithEveryRoStoppedAndPreferredGoesOn() throws Exception {
        pg.annotate(Annotations.AUTO_FAILOVER, "false");
        pg.awaitCondition(Conditions.AUTO_FAILOVER, false, Conditions.DISABLED_BY_ANNOTATION, Duration.ofSeconds(30));
        try (RwWriter writer = pg.writer()) {
            // required: with no RO to flush it, no commit returns
            stopRos();
            pg.awaitCondition(Conditions.SYNCHRONOUS_REPLICATION, false, "WritesWait", Duration.ofSeconds(30));
            long waiting = System.currentTimeMillis();
            Thread.sleep(5000);
            assertThat(writer.acksAfter(waiting))
                    .as("commits acknowledged with every RO stopped")
                    .isZero();
            startRos();
            pg.awaitCondition(Conditions.SYNCHRONOUS_REPLICATION, true, "Synchronous", Duration.ofSeconds(60));
            awaitWritesOn(writer, pg.get().getStatus().getLeaderInstanceId(), System.currentTimeMillis());
            assertThat(writer.lost())
                    .as("acknowledged writes lost while they waited")
                    .isEmpty();

            // preferred: with no RO, commits go on, and the cluster says they are not replicated
            pg.durability("preferred");
            stopRos();
            assertThat(pg.awaitCondition(
                            Conditions.SYNCHRONOUS_REPLICATION, false, "NoReplicaConnected", Duration.ofSeconds(30)))
                    .contains("unreplicated");
            long unreplicated = System.currentTimeMillis();
            await(
                    Duration.ofSeconds(10),
                    () -> "commits acknowledged with every RO stopped (preferred)",
                    () -> writer.acksAfter(unreplicated) > 20);
            startRos();
            pg.awaitCondition(Conditions.SYNCHRONOUS_REPLICATION, true, "Synchronous", Duration.ofSeconds(60));
            assertThat(writer.lost()).isEmpty();
        } finally {
            pg.durability("required");
            pg.annotate(Annotations.AUTO_FAILOVER, null);
        }
        pg.awaitCondition(Conditions.AUTO_FAILOVER, true, Conditions.ENABLED, Duration.ofSeconds(30));
        pg.assertReplicates(pg.get(), "after the ROs came back");
    }

    @Test
    @Order(5)
    void aPartitionedRwWaitsForProofAcknowledgesNothingAndRejoinsWhenHealed() throws Exception {
        var oldRw = rw(pg.get());
        String address = oldRw.getNetInfo().getWorkingHostIP();
        // A client on another node's address (the engines allow the nodes' addresses) still reaches the old RW.
        String elsewhere = ros(pg.get()).get(0).getNetInfo().getWorkingHostIP();
        try (RwWriter writer = pg.writer();
                var bystander = pg.connectFrom(oldRw, elsewhere)) {
            CompletableFuture<Void> isolatedWrite;
            long cutAt;
            try (LoopbackCut cut = LoopbackCut.isolate(address)) {
                cutAt = System.currentTimeMillis();
                // A client that still reaches the old RW: its commit must not return, since no RO can flush it.
                isolatedWrite = CompletableFuture.runAsync(() -> {
                    try (var st = bystander.createStatement()) {
                        st.execute("insert into rw_writer(id) values (-1)");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await(
                        Duration.ofMinutes(3),
                        () -> "the Failover waiting for proof that " + oldRw.getInsId() + " is stopped",
                        () -> tasks.createTaskQuery()
                                        .processInstanceBusinessKey(pg.businessKey())
                                        .taskDefinitionKey("Task_ConfirmOldRwStopped")
                                        .count()
                                == 1);
                assertThat(pg.get().getStatus().getLeaderInstanceId())
                        .as("nothing promoted without proof")
                        .isEqualTo(oldRw.getInsId());
                var task = tasks.createTaskQuery()
                        .processInstanceBusinessKey(pg.businessKey())
                        .taskDefinitionKey("Task_ConfirmOldRwStopped")
                        .singleResult();
                assertThat((String) tasks.getVariable(task.getId(), "fenceFacts"))
                        .contains(oldRw.getNodeName());
                assertThat(isolatedWrite)
                        .as("a commit on the isolated RW returned")
                        .isNotDone();

                // The operator confirms the old RW's node is out (here: cut off, which is what a confirmation claims).
                tasks.complete(task.getId(), Map.of("oldRwStopped", true));
                await(
                        Duration.ofMinutes(2),
                        () -> "a new RW promoted after the confirmation",
                        () -> !oldRw.getInsId().equals(pg.get().getStatus().getLeaderInstanceId()));
                String newRw = pg.get().getStatus().getLeaderInstanceId();
                awaitWritesOn(writer, newRw, cutAt);
                assertThat(isolatedWrite)
                        .as("the isolated old RW acknowledged a commit while another RW took writes")
                        .isNotDone();
            }
            // Healed: the old RW rejoins as an RO (its rejoin step may have run out of retries meanwhile).
            awaitRejoined(oldRw.getInsId());
            assertThat(failedOrNotDone(isolatedWrite))
                    .as("the write sent to the isolated RW was never acknowledged")
                    .isTrue();
            assertThat(writer.lost())
                    .as("acknowledged writes lost across the partition")
                    .isEmpty();
        }
        pg.assertReplicates(pg.get(), "after the partition healed");
    }

    @Test
    @Order(6)
    void noPromotableRoWaitsForAPersonWhoMayAbort() {
        String leader = pg.get().getStatus().getLeaderInstanceId();
        var stopped = ros(pg.get()).get(0);
        pg.annotate(Annotations.AUTO_FAILOVER, "false");
        manager.stop(target(stopped), ManagerClient.StopMode.FAST, 60);
        pg.annotate(Annotations.SWITCH_RW, stopped.getInsId());
        await(
                Duration.ofMinutes(1),
                () -> "the decision task",
                () -> tasks.createTaskQuery()
                                .processInstanceBusinessKey(pg.businessKey())
                                .taskDefinitionKey("Task_DecideNoCandidate")
                                .count()
                        == 1);
        var task = tasks.createTaskQuery()
                .processInstanceBusinessKey(pg.businessKey())
                .singleResult();
        assertThat((String) tasks.getVariable(task.getId(), "candidateFacts"))
                .contains(stopped.getInsId(), "does not answer");
        tasks.complete(task.getId(), Map.of("decision", "abort"));
        pg.annotate(Annotations.SWITCH_RW, null);
        manager.start(target(stopped));
        await(
                Duration.ofMinutes(1),
                () -> "the aborted Failover ended",
                () -> pg.get().getStatus().getFlow() == null);
        assertThat(pg.get().getStatus().getLeaderInstanceId()).isEqualTo(leader);
        pg.annotate(Annotations.AUTO_FAILOVER, null);
    }

    /** The writer's commits reach {@code insId} through the RW Service after {@code since}. */
    static void awaitWritesOn(RwWriter writer, String insId, long since) {
        await(
                Duration.ofSeconds(60),
                () -> "writes through the RW Service on " + insId,
                () -> writer.acksAfter(since) > 0
                        && writer.endpoint()
                                .startsWith(
                                        instance(pg.get(), insId).getNetInfo().getWorkingHostIP() + ":"));
    }

    long failoversSince(long epochMillis) {
        return history.createHistoricProcessInstanceQuery()
                .processDefinitionKey(FlowKeys.FAILOVER)
                .processInstanceBusinessKey(pg.businessKey())
                .startedAfter(new Date(epochMillis))
                .count();
    }

    static long longest(List<RwWriter.Outage> outages) {
        return outages.stream().mapToLong(RwWriter.Outage::millis).max().orElse(0);
    }

    /**
     * A crash of one backend (kill -9 of the walwriter) makes the postmaster end all sessions and replay its WAL before
     * it takes connections again (SQLSTATE 57P03 meanwhile); the startup process doing that replay is stopped with
     * SIGSTOP, so the RW stays "starting up" until {@link #resume}. Some WAL is written first so the replay lasts
     * long enough to be caught. Returns the startup process' pid.
     */
    String holdInStartup(String insId) throws SQLException {
        try (var c = pg.connect(instance(pg.get(), insId));
                var st = c.createStatement()) {
            st.execute("create table if not exists filler(id int, pad text)");
            st.execute("insert into filler select g, repeat('x', 400) from generate_series(1, 100000) g");
        }
        String script = "pm=$(head -1 /data/postmaster.pid)\n"
                + "for d in /proc/[0-9]*; do\n"
                + "  case \"$(tr '\\0' ' ' < $d/cmdline 2>/dev/null)\" in 'postgres: '*'walwriter'*) victim=${d#/proc/};;"
                + " esac\n"
                + "done\n"
                + "[ -n \"$victim\" ] || { echo 'no walwriter' >&2; exit 2; }\n"
                + "kill -9 $victim\n"
                + "end=$(( $(date +%s) + 20 ))\n"
                + "while [ $(date +%s) -lt $end ]; do\n"
                + "  for d in /proc/[0-9]*; do\n"
                + "    case \"$(tr '\\0' ' ' < $d/cmdline 2>/dev/null)\" in 'postgres: '*'startup'*)"
                + " kill -STOP ${d#/proc/} && echo ${d#/proc/} && exit 0;; esac\n"
                + "  done\n"
                + "done\n"
                + "echo 'no startup process seen' >&2; exit 3\n";
        var result = pg.exec(
                instance(pg.get(), insId).getPodName(), "engine", List.of("sh", "-c", script), Duration.ofSeconds(60));
        assertThat(result.exitCode())
                .as("holding " + insId + " in startup: " + result.stderr())
                .isZero();
        return result.stdout().strip();
    }

    void resume(String insId, String pid) {
        pg.exec(
                instance(pg.get(), insId).getPodName(),
                "engine",
                List.of("sh", "-c", "kill -CONT " + Integer.parseInt(pid) + " 2>/dev/null; true"),
                Duration.ofSeconds(30));
    }

    static boolean answers(InstanceStatus instance) {
        try (var c = pg.connect(instance)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false; // starting up, or not at all
        }
    }

    void stopRos() {
        ros(pg.get()).forEach(ro -> manager.stop(target(ro), ManagerClient.StopMode.FAST, 60));
    }

    void startRos() {
        ros(pg.get()).forEach(ro -> manager.start(target(ro)));
    }

    /** Waits until the old RW is an RO again and no flow runs; a flow stopped at an incident is resumed once. */
    void awaitRejoined(String insId) {
        boolean resumed = false;
        long until = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(5);
        while (System.currentTimeMillis() < until) {
            var cluster = pg.get();
            if (ClusterState.INTERRUPT.equals(cluster.getStatus().getClusterStatus()) && !resumed) {
                pg.annotate(Annotations.INTERRUPT_RECOVER, "T");
                resumed = true;
            }
            if (cluster.getStatus().getFlow() == null
                    && ClusterState.RUNNING.equals(cluster.getStatus().getClusterStatus())
                    && InstanceRole.RO.equals(instance(cluster, insId).getInsType())) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(
                "the old RW " + insId + " did not rejoin as an RO: " + RunningCluster.describe(pg.get()));
    }

    static boolean failedOrNotDone(CompletableFuture<Void> write) throws InterruptedException {
        try {
            write.get(1, TimeUnit.SECONDS);
            return false; // acknowledged
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return true;
        }
    }

    static ManagerClient.Target target(InstanceStatus instance) {
        return new ManagerClient.Target(
                NS,
                instance.getPodName(),
                ManagerClient.Flavour.POSTGRESQL,
                new ManagerClient.Layout(null, null, null, true));
    }
}
