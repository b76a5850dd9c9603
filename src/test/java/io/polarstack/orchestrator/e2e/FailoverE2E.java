package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.instance;
import static io.polarstack.orchestrator.testing.RunningCluster.ros;
import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RunningCluster;
import io.polarstack.orchestrator.testing.RwWriter;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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
    }

    @Test
    void switchoverFailoverAndNoCandidate() throws Exception {
        pg.create(2, RunningCluster.MEDIUM, Duration.ofMinutes(15));
        assertThat(Conditions.get(pg.get().getStatus(), Conditions.AUTO_FAILOVER)
                        .getStatus())
                .isEqualTo("True");

        try (RwWriter writer = pg.writer()) {
            // 1. planned switchover to a chosen RO
            String oldRw = pg.get().getStatus().getLeaderInstanceId();
            String target = ros(pg.get()).get(0).getInsId();
            long switchAt = System.currentTimeMillis();
            pg.annotate(Annotations.SWITCH_RW, target);
            pg.awaitLeader(target, "planned switchover");
            await(
                    Duration.ofSeconds(30),
                    () -> "writes through the RW Service to " + target + " after the switchover",
                    () -> writer.acksAfter(switchAt) > 0
                            && writer.endpoint()
                                    .startsWith(instance(pg.get(), target)
                                                    .getNetInfo()
                                                    .getWorkingHostIP() + ":"));
            assertThat(pg.get().getMetadata().getAnnotations()).doesNotContainKey(Annotations.SWITCH_RW);
            pg.assertReplicates(pg.get(), "after switchover");
            assertThat(instance(pg.get(), oldRw).getInsType())
                    .as("the old RW rejoined as an RO")
                    .isEqualTo(InstanceRole.RO);
            var planned = writer.outages(switchAt, Duration.ofMillis(200));
            System.out.printf(
                    "planned switchover: write outages %s%n",
                    planned.stream().map(RwWriter.Outage::millis).toList());
            assertThat(writer.lost())
                    .as("a planned switchover loses no acknowledged write")
                    .isEmpty();

            // 2. kill -9 of the RW's postmaster: the HA monitor fails over on its own
            String killed = pg.get().getStatus().getLeaderInstanceId();
            long killAt = System.currentTimeMillis();
            pg.killPostmaster(killed);
            String newRw = pg.awaitLeaderOtherThan(killed, "failover after kill -9")
                    .getStatus()
                    .getLeaderInstanceId();
            await(
                    Duration.ofSeconds(30),
                    () -> "writes on the new RW " + newRw,
                    () -> writer.acksAfter(killAt) > 0
                            && writer.endpoint()
                                    .startsWith(instance(pg.get(), newRw)
                                                    .getNetInfo()
                                                    .getWorkingHostIP() + ":"));
            pg.assertReplicates(pg.get(), "after failover");
            assertThat(instance(pg.get(), killed).getInsType())
                    .as("the killed RW rejoined as an RO")
                    .isEqualTo(InstanceRole.RO);
            var failovers = history.createHistoricProcessInstanceQuery()
                    .processDefinitionKey(FlowKeys.FAILOVER)
                    .processInstanceBusinessKey(pg.businessKey())
                    .startedAfter(new Date(killAt))
                    .list();
            assertThat(failovers).as("one automatic failover").hasSize(1);
            var unplanned = writer.outages(killAt, Duration.ofMillis(200));
            System.out.printf(
                    "failover after kill -9: write outages %s, acknowledged writes lost %s%n",
                    unplanned.stream().map(RwWriter.Outage::millis).toList(), writer.lost());
        }

        // 3. no promotable RO: the requested RO is stopped; a person decides (abort) and nothing changes
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
    }

    static ManagerClient.Target target(InstanceStatus instance) {
        return new ManagerClient.Target(
                NS,
                instance.getPodName(),
                ManagerClient.Flavour.POSTGRESQL,
                new ManagerClient.Layout(null, null, null, true));
    }
}
