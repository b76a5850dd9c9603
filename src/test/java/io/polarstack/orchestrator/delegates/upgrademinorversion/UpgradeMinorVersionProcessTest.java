package io.polarstack.orchestrator.delegates.upgrademinorversion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.fabric8.kubernetes.api.model.Pod;
import io.polarstack.orchestrator.api.VersionConfig;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.specs.InstancePods;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UpgradeMinorVersion on an in-memory engine with the flows it calls, the ports mocked, on a cluster CreateCluster
 * made first: RW 1002 (slot 1001), ROs 1004 (slot 1003) and 1006 (slot 1005). The replacements get 1007, 1008 (the
 * ROs) and 1009 (the RW).
 */
@Deployment(
        resources = {
            "processes/upgrade-minor-version.bpmn",
            "processes/replace-instance.bpmn",
            "processes/remove-instance.bpmn",
            "processes/create-instance.bpmn",
            "processes/failover.bpmn",
            "processes/create-cluster.bpmn"
        })
class UpgradeMinorVersionProcessTest extends FlowHarness {

    static final String NEXT = "image-next";
    static final String NEXT_ENGINE = "polardb/polardb_pg_engine_release:next";

    @BeforeEach
    void ports() {
        catalogHasNext();
    }

    static void catalogHasNext() {
        resources.configMaps.put(
                "ConfigMap:kube-system/postgresql-1-0-minor-version-info-rwo-" + NEXT,
                Map.of(
                        "name",
                        NEXT,
                        "pgEngineImage",
                        NEXT_ENGINE,
                        "pgManagerImage",
                        "polardb/polardb_pg_manager:next"));
    }

    /** CreateCluster, then the upgrade asked for in the spec, as the operator starts it. */
    ProcessInstance upgrade() {
        runningCluster();
        var to = new VersionConfig();
        to.setVersionName(NEXT);
        resources.cluster.getSpec().setVersionCfgModifyTo(to);
        afterCreate.forEach(Runnable::run);
        return start("UpgradeMinorVersion", Map.of("versionName", NEXT));
    }

    String engineImage(String podName) {
        var pod = (Pod) resources.applied.get("Pod:default/" + podName);
        assertThat(pod).as("pod " + podName).isNotNull();
        return pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(InstancePods.ENGINE))
                .findFirst()
                .orElseThrow()
                .getImage();
    }

    void assertUpgraded() {
        var status = resources.cluster.getStatus();
        assertThat(status.getDbInstanceStatus()).containsOnlyKeys("1007", "1008", "1009");
        assertThat(status.getLeaderInstanceId()).isEqualTo("1009");
        assertThat(status.getDbInstanceStatus().get("1009").getInsType()).isEqualTo("rw");
        assertThat(status.getDbInstanceStatus().get("1009").getPhysicalInsId())
                .as("the RW's slot")
                .isEqualTo("1001");
        assertThat(status.getDbInstanceStatus().values())
                .allSatisfy(i -> assertThat(i.getReplacesInsId()).isNull());
        assertThat(status.getDbInstanceStatus().get("1007").getInsType()).isEqualTo("ro");
        assertThat(status.getDbInstanceStatus().get("1008").getInsType()).isEqualTo("ro");
        for (String pod : new String[] {"pg-local-1003-1007", "pg-local-1005-1008", "pg-local-1001-1009"}) {
            assertThat(engineImage(pod)).isEqualTo(NEXT_ENGINE);
        }
        assertThat(resources.applied.keySet())
                .doesNotContain(
                        "Pod:default/pg-local-1001-1002",
                        "Pod:default/pg-local-1003-1004",
                        "Pod:default/pg-local-1005-1006");
        assertThat(resources.cluster.getSpec().getVersionCfg().getVersionName()).isEqualTo(NEXT);
        assertThat(resources.cluster.getSpec().getVersionCfgModifyTo()).isNull();
        assertThat(status.getClusterStatus()).isEqualTo("Running");
        verify(manager, never()).restart(any());
    }

    @Test
    void rosOneAfterAnotherThenTheRwByAReplacementAndASwitchover() {
        var upgrade = upgrade();
        finish(upgrade);
        assertUpgraded();

        var order = inOrder(manager);
        order.verify(manager).install(pod("pg-local-1003-1007"), any());
        verifyFastStop(order, "pg-local-1003-1004");
        order.verify(manager).install(pod("pg-local-1005-1008"), any());
        order.verify(manager).install(pod("pg-local-1001-1009"), any());
        verifyFastStop(order, "pg-local-1001-1002");
        order.verify(manager).promote(pod("pg-local-1001-1009"));
        order.verify(manager)
                .removeSlot(pod("pg-local-1001-1009"), eq(ManagerClient.SlotType.REPLICA), eq("1001"), eq("1002"));
        verify(manager, times(1)).promote(any());
        verify(manager, never()).rejoin(any(), any(), anyString(), anyString());
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal UpgradePlanned: to version image-next")
                        && e.contains("ROs [1004, 1006] one after another, then the RW 1002"));
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal MinorVersionUpgraded"));
    }

    @Test
    void anUnknownVersionStopsBeforeAnythingChanges() {
        var upgrade = upgrade();
        resources.configMaps.remove("ConfigMap:kube-system/postgresql-1-0-minor-version-info-rwo-" + NEXT);
        driveTo("Task_PlanUpgrade");
        assertThat(exhaust("Task_PlanUpgrade"))
                .hasMessageContaining(
                        "ConfigMap kube-system/postgresql-1-0-minor-version-info-rwo-image-next not found");
        assertThat(resources.cluster.getStatus().getDbInstanceStatus()).containsOnlyKeys("1002", "1004", "1006");
        verify(manager, never()).install(any(), any());

        catalogHasNext();
        retry("Task_PlanUpgrade");
        finish(upgrade);
        assertUpgraded();
    }

    @Test
    void withoutASpareNodeItSaysSoAtOnce() {
        resources.nodes.remove(2); // node-c: the RW is on node-a, both ROs on node-b
        var upgrade = upgrade();
        driveTo("Task_PlanUpgrade");
        assertThat(exhaust("Task_PlanUpgrade"))
                .hasMessageContaining("needs a node without an instance")
                .hasMessageContaining("node node-a already runs rw 1002");
        assertThat(ended(upgrade)).isFalse();
    }

    /** An incident in each external step of the flow (or the flow it calls there); fixed and retried, it ends upgraded. */
    @ParameterizedTest
    @ValueSource(
            strings = {"Task_ReplaceRos", "Task_ReplaceRw", "Task_Switchover", "Task_RemoveOldRw", "Task_FinishUpgrade"
            })
    void anIncidentAtEachStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        Map<String, Runnable> breakers = rollingReplaceBreakers(failure);
        breakers.put("Task_FinishUpgrade", () -> resources.failing.add("updateSpec"));
        String failing = failingStep(step);
        afterCreate.add(breakers.get(step));
        var upgrade = upgrade();
        drive(); // up to the failing step, which then waits for its next retry
        assertThat(exhaust(failing)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(failing);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");

        resources.failing.clear();
        fixed();
        retry(failing);
        finish(upgrade);
        assertUpgraded();
    }

    /**
     * Cancelled after the switchover, before the old RW was removed, and started again by the same request: no second
     * switchover, the old RW goes. (The ROs, already on the new version, are replaced once more: nothing in status says
     * which version an instance runs.)
     */
    @Test
    void startedAgainAfterACancelPastTheSwitchoverItOnlyRemovesTheOldRw() {
        afterCreate.add(() -> doThrow(new ManagerException("TIMEOUT", "the agent did not answer", null))
                .when(manager)
                .removeSlot(any(), any(), anyString(), eq("1002")));
        var first = upgrade();
        drive();
        exhaust("Task_DropSlot");
        engine.getRuntimeService().deleteProcessInstance(first.getId(), "cancelled=true", false, true);
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1009");
        assertThat(resources
                        .cluster
                        .getStatus()
                        .getDbInstanceStatus()
                        .get("1009")
                        .getReplacesInsId())
                .isEqualTo("1002");

        fixed();
        var again = start("UpgradeMinorVersion", Map.of("versionName", NEXT));
        finish(again);
        verify(manager, never()).promote(any());
        var status = resources.cluster.getStatus();
        assertThat(status.getLeaderInstanceId()).isEqualTo("1009");
        assertThat(status.getDbInstanceStatus()).doesNotContainKey("1002").hasSize(3);
        assertThat(resources.cluster.getSpec().getVersionCfgModifyTo()).isNull();
    }

    private static void verifyFastStop(org.mockito.InOrder order, String pod) {
        order.verify(manager).stop(pod(pod), eq(ManagerClient.StopMode.FAST), org.mockito.ArgumentMatchers.anyInt());
    }
}
