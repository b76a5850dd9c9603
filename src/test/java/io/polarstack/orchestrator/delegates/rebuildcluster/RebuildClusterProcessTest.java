package io.polarstack.orchestrator.delegates.rebuildcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.jobQuery;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.Pod;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.testing.FaultyClusterResources;
import io.polarstack.orchestrator.testing.FlowHarness;
import io.polarstack.orchestrator.testing.RecordingClusterResources;
import java.util.Map;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RebuildCluster on an in-memory engine with CreateInstance, the ports mocked, on a cluster CreateCluster made first
 * whose instances all failed. Local: RW 1002 on node-a, ROs 1004 and 1006 on node-b. Share: RW 1002, RO 1004.
 * (Starting again from the first step on interrupt.recover is the operator's part: ClusterOperatorRecoveryTest.)
 */
@Deployment(
        resources = {"processes/rebuild-cluster.bpmn", "processes/create-instance.bpmn", "processes/create-cluster.bpmn"
        })
class RebuildClusterProcessTest extends FlowHarness {

    /** CreateCluster; then every instance failed and forceRebuild set; then RebuildCluster as the operator starts it. */
    ProcessInstance rebuild() {
        runningCluster();
        resources.cluster.getStatus().getDbInstanceStatus().values().forEach(i -> i.setCurrentState(state("failed")));
        resources.annotate(
                "default",
                resources.cluster.getMetadata().getName(),
                Map.of("forceRebuild", "true"),
                java.util.Set.of());
        org.mockito.Mockito.clearInvocations(storage);
        afterCreate.forEach(Runnable::run);
        return start("RebuildCluster", Map.of("recoverFromFirstStep", true));
    }

    static InstanceState state(String value) {
        var state = new InstanceState();
        state.setState(value);
        return state;
    }

    /** The node a pod is pinned to by its required node affinity, or null. */
    String pinnedNode(String podName) {
        var pod = (Pod) resources.applied.get("Pod:default/" + podName);
        assertThat(pod).as("pod " + podName).isNotNull();
        return RecordingClusterResources.pinnedNodeName(pod).orElse(null);
    }

    void assertRebuilt(String... insIds) {
        var status = resources.cluster.getStatus();
        assertThat(status.getDbInstanceStatus()).containsOnlyKeys(insIds);
        assertThat(status.getDbInstanceStatus().values()).allSatisfy(i -> {
            assertThat(i.getInstalled()).isTrue();
            assertThat(i.getCurrentState().getState()).isEqualTo("RUNNING");
        });
        assertThat(status.getLeaderInstanceId()).isEqualTo("1002");
        assertThat(status.getClusterStatus()).isEqualTo("Running");
        assertThat(Conditions.get(status, Conditions.AUTO_FAILOVER).getStatus()).isEqualTo("True");
        assertThat(resources.cluster.getMetadata().getAnnotations()).doesNotContainKey("forceRebuild");
        verify(manager, never()).restart(any());
    }

    @Test
    void localEveryPodIsMadeAgainOnItsNodeAndItsDataDirectory() {
        var rebuild = rebuild();
        finish(rebuild);
        assertRebuilt("1002", "1004", "1006");

        assertThat(resources.deletedPods).containsExactly(RO1, RO2, RW);
        assertThat(pinnedNode(RW)).isEqualTo("node-a");
        assertThat(pinnedNode(RO1)).isEqualTo("node-b");
        assertThat(pinnedNode(RO2)).isEqualTo("node-b");
        var order = inOrder(manager);
        order.verify(manager).stop(pod(RO1), eq(ManagerClient.StopMode.FAST), anyInt());
        order.verify(manager).stop(pod(RW), eq(ManagerClient.StopMode.FAST), anyInt());
        order.verify(manager).systemIdentifier(pod(RW));
        order.verify(manager).install(pod(RW), argThat(s -> s.role() == ManagerClient.InstanceRole.RW));
        order.verify(manager).start(pod(RW));
        order.verify(manager).install(pod(RO1), any());
        order.verify(manager).install(pod(RO2), any());
        verify(manager, times(3)).install(any(), any());
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal RebuildPlanned: rw 1002 first, then ros [1004, 1006]"));
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal ClusterRebuilt"));
    }

    @Test
    void shareModeKeepsTheLunMovesTheWriteLockAndPinsNothing() {
        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        var rebuild = rebuild();
        finish(rebuild);
        assertRebuilt("1002", "1004");
        assertThat(pinnedNode("polardb-share-1001-1002")).isNull();
        assertThat(pinnedNode("polardb-share-1003-1004")).isNull();
        verify(storage).lockWrite(eq("36e00084100ee7ec9e7d6b6d3f0d5e0a1"), eq("node-a"));
        verify(manager, never()).systemIdentifier(any());
        verify(manager)
                .install(pod("polardb-share-1001-1002"), argThat(s -> s.mode() == ManagerClient.StorageMode.SHARE));
    }

    @Test
    void anRwWithoutItsDataIsAnIncidentNeverANewDatabase() {
        afterCreate.add(() -> when(manager.systemIdentifier(pod(RW)))
                .thenThrow(new ManagerException(
                        "NOT_INSTALLED", "no database cluster in /data (PG_VERSION missing)", null)));
        var rebuild = rebuild();
        drive();
        assertThat(exhaust("Task_InstallInstance"))
                .hasMessageContaining("the RW 1002 finds no database")
                .hasMessageContaining("node node-a")
                .hasMessageContaining("never makes a new one");
        assertThat(incident().getActivityId()).isEqualTo("Task_InstallInstance");
        verify(manager, never()).install(any(), any());

        fixed(); // the directory is back
        retry("Task_InstallInstance");
        finish(rebuild);
        assertRebuilt("1002", "1004", "1006");
    }

    @Test
    void aFencedFormerRwAndANewInstanceUnderWayAreNotStarted() {
        afterCreate.add(() -> {
            var entries = resources.cluster.getStatus().getDbInstanceStatus();
            entries.get("1006").setCurrentState(state("FENCED"));
            var tempro = io.polarstack.orchestrator.delegates.common.NewInstances.tempro(
                    resources.cluster, "1003", "1007", "1004", 5432, "1004");
            entries.put("1007", tempro);
        });
        var rebuild = rebuild();
        finish(rebuild);
        var entries = resources.cluster.getStatus().getDbInstanceStatus();
        assertThat(entries).containsOnlyKeys("1002", "1004", "1006", "1007");
        assertThat(entries.get("1006").getCurrentState().getState()).isEqualTo("FENCED");
        assertThat(entries.get("1007").getInsType()).isEqualTo("tempro");
        assertThat(resources.applied).doesNotContainKey("Pod:default/" + RO2);
        verify(manager, never()).install(pod(RO2), any());
        assertThat(resources.events).anyMatch(e -> e.contains("not started: [ro 1006, tempro 1007]"));
    }

    @Test
    void theOldRwAFinishedSwitchoverLeftBehindLeavesStatus() {
        afterCreate.add(() -> {
            var entries = resources.cluster.getStatus().getDbInstanceStatus();
            entries.get("1002").setReplacesInsId("1006");
            entries.get("1006").setCurrentState(state("FENCED"));
        });
        var rebuild = rebuild();
        finish(rebuild);
        assertRebuilt("1002", "1004");
        assertThat(resources
                        .cluster
                        .getStatus()
                        .getDbInstanceStatus()
                        .get("1002")
                        .getReplacesInsId())
                .isNull();
        assertThat(resources.deletedPods).contains(RO2);
    }

    @Test
    void eachPodGoesOnlyOnceItsBackgroundStopEndedOneInstanceAtATimeAndAFailedStopDoesNotBlock() {
        var ro1Polls = new java.util.concurrent.atomic.AtomicInteger();
        afterCreate.add(() -> {
            org.mockito.Mockito.doAnswer(a -> new ManagerClient.Run(ro1Polls.incrementAndGet() > 1, true, Map.of()))
                    .when(manager)
                    .stopInBackground(pod(RO1), any(), anyInt(), anyString());
            org.mockito.Mockito.doThrow(new ManagerException("TIMEOUT", "the agent did not answer", null))
                    .when(manager)
                    .stopInBackground(pod(RO2), any(), anyInt(), anyString());
        });
        var rebuild = rebuild();
        drive();
        assertThat(ro1Polls).hasValue(1);
        assertThat(resources.deletedPods)
                .as("RO1 still stopping: no pod deleted yet")
                .isEmpty();
        assertThat(jobQuery().activityId("Timer_RecheckRemovePods").count()).isEqualTo(1);
        later(java.time.Duration.ofSeconds(4));
        finish(rebuild);
        assertThat(resources.deletedPods).containsExactly(RO1, RO2, RW);
        assertRebuilt("1002", "1004", "1006");
    }

    @Test
    void podsThatDoNotGoStopTheFlowAfterFiveMinutes() {
        afterCreate.add(() -> resources.podsLinger = true);
        var rebuild = rebuild();
        drive();
        assertThat(engine.getRuntimeService().getVariable(rebuild.getId(), "podsGone"))
                .isEqualTo(false);
        ClockUtil.setCurrentTime(new java.util.Date(System.currentTimeMillis() + 6 * 60_000));
        drive();
        assertThat(exhaust("Task_ReportPodsNotGone"))
                .hasMessageContaining("pods still there")
                .hasMessageContaining(RW)
                .hasMessageContaining("terminating")
                .hasMessageContaining("--force");
        verify(manager, never()).install(any(), any());

        resources.finishDeletes();
        retry("Task_ReportPodsNotGone");
        finish(rebuild);
        assertRebuilt("1002", "1004", "1006");
    }

    /** An incident at each external step; fixed and retried, the rebuild completes. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_DisableHa",
                "Task_RemoveInstancePods",
                "Task_PlanRebuild",
                "Task_RecreateRw",
                "Task_RecreateRos",
                "Task_EnableHa",
                "Task_FinishRebuild"
            })
    void anIncidentAtEachStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        String version = "ConfigMap:kube-system/postgresql-1-0-minor-version-info-rwo-image-open";
        var versionData = resources.configMaps.get(version);
        Map<String, Runnable> breakers = Map.of(
                "Task_DisableHa", () -> resources.failing.add("updateStatus"),
                "Task_RemoveInstancePods", () -> resources.failing.add("deletePod"),
                "Task_PlanRebuild", () -> resources.configMaps.remove(version),
                "Task_RecreateRw", () -> when(manager.install(pod(RW), any())).thenThrow(failure),
                "Task_RecreateRos", () -> when(manager.install(pod(RO2), any())).thenThrow(failure),
                "Task_FinishRebuild", () -> resources.failing.add("annotate"));
        String failing = Map.of("Task_RecreateRw", "Task_InstallInstance", "Task_RecreateRos", "Task_InstallInstance")
                .getOrDefault(step, step);
        if (breakers.containsKey(step)) {
            afterCreate.add(breakers.get(step));
        }
        var rebuild = rebuild();
        if (step.equals("Task_EnableHa")) {
            driveTo(step);
            resources.failing.add("updateStatus");
        }
        drive();
        assertThat(exhaust(failing)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(failing);

        resources.failing.clear();
        resources.configMaps.put(version, versionData);
        fixed();
        retry(failing);
        finish(rebuild);
        assertRebuilt("1002", "1004", "1006");
    }
}
