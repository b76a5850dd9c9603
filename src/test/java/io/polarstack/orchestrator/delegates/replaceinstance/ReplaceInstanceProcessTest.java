package io.polarstack.orchestrator.delegates.replaceinstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.Pod;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.ports.ManagerClient.StopMode;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.time.Duration;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ReplaceInstance (with CreateInstance and RemoveInstance) on an in-memory engine, the ports mocked, on a cluster
 * CreateCluster made first. Replacing RO 1004 (slot 1003) gives instance 1007, pod pg-local-1003-1007.
 */
@Deployment(
        resources = {
            "processes/replace-instance.bpmn",
            "processes/remove-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class ReplaceInstanceProcessTest extends FlowHarness {

    static final String NEW_RO = "pg-local-1003-1007";

    ProcessInstance replace(Map<String, Object> variables) {
        runningCluster();
        return start("ReplaceInstance", variables);
    }

    void assertReplaced(String oldId, String newId, String newPod) {
        assertThat(entries()).doesNotContainKey(oldId);
        var instance = entry(newId);
        assertThat(instance.getInsType()).isEqualTo("ro");
        assertThat(instance.getReplacesInsId())
                .as("forgotten once the old one is gone")
                .isNull();
        assertThat(instance.getInstalled()).isTrue();
        assertThat(instance.getCurrentState().getState()).isEqualTo("RUNNING");
        assertThat(roleLabel(newPod)).isEqualTo("ro");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal InstanceRemoved: ro " + oldId));
    }

    @Test
    void aNewRoTakesOverTheSlotOnceCaughtUpThenTheOldOneGoes() {
        var replace = replace(Map.of("insId", "1004"));
        finish(replace);

        assertReplaced("1004", "1007", NEW_RO);
        assertThat(entry("1007").getPhysicalInsId()).isEqualTo("1003");
        assertThat(entry("1007").getInsName())
                .as("the slot's first instance id")
                .isEqualTo("1004");
        assertThat(entry("1007").getNetInfo().getWorkingPort()).isEqualTo(5432);
        assertThat(podExists(RO1)).isFalse();
        assertThat(entries()).containsOnlyKeys("1002", "1006", "1007");
        assertThat(nextId()).as("one id for the new instance").isEqualTo(1008);
        var order = inOrder(manager);
        order.verify(manager).createSlot(pod(RW), eq(SlotType.REPLICA), eq("1003"), eq("1007"));
        order.verify(manager).install(pod(NEW_RO), any());
        order.verify(manager).walPosition(pod(NEW_RO));
        order.verify(manager).stop(pod(RO1), eq(StopMode.FAST), anyInt());
        order.verify(manager).removeSlot(pod(RW), eq(SlotType.REPLICA), eq("1003"), eq("1004"));
        verify(manager, never()).removeSlot(any(), any(), any(), eq("1007"));
        verify(manager, never()).stop(pod(RW), any(), anyInt());
    }

    @Test
    void aTargetNodePinsTheNewPod() {
        var replace = replace(Map.of("insId", "1004", "targetNode", "node-c"));
        finish(replace);
        assertReplaced("1004", "1007", NEW_RO);
        assertThat(entry("1007").getNodeName()).isEqualTo("node-c");
        var term = ((Pod) resources.applied.get("Pod:default/" + NEW_RO))
                .getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0);
        assertThat(term.getMatchExpressions())
                .anyMatch(e -> e.getOperator().equals("In") && e.getValues().equals(java.util.List.of("node-c")));
    }

    @Test
    void theOldInstanceServesUntilTheNewOneCaughtUpAndABoundedWaitEndsInAnIncident() {
        var replace = replace(Map.of("insId", "1004"));
        positions.put(RW, 1000L + LAG_LIMIT + 1); // the new RO at 1000 is just beyond the limit
        drive();
        assertThat(ended(replace)).isFalse();
        assertThat(entry("1007").getInsType())
                .as("not in the topology while behind")
                .isEqualTo("tempro");
        assertThat(roleLabel(NEW_RO)).isEqualTo("tempro");
        later(Duration.ofSeconds(3));
        drive();
        assertThat(entry("1007").getInsType()).isEqualTo("tempro");

        later(Duration.ofMinutes(11)); // the 10 min bound
        drive();
        exhaust("Task_ReportReplicaBehind");
        assertThat(incident().getActivityId()).isEqualTo("Task_ReportReplicaBehind");
        assertThat(incident().getIncidentMessage())
                .contains("1007", "bytes behind the RW 1002 (limit " + LAG_LIMIT + ")");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        verify(manager, never()).stop(any(), any(), anyInt());
        assertThat(podExists(RO1)).isTrue();

        positions.put(NEW_RO, 1000L + LAG_LIMIT);
        retry("Task_ReportReplicaBehind");
        finish(replace);
        assertReplaced("1004", "1007", NEW_RO);
    }

    @Test
    void aCrashBetweenAllocatingAndCreatingDoesNotAllocateASecondId() {
        runningCluster();
        boolean[] crashed = {false};
        // the status write is done, then the step dies before its transaction commits
        resources.onCall = call -> {
            if (call.equals("event InstanceAllocated") && !crashed[0]) {
                crashed[0] = true;
                throw new IllegalStateException("the orchestrator died here");
            }
        };
        var replace = start("ReplaceInstance", Map.of("insId", "1004"));
        assertThat(drive()).as("the first attempt failed").isEqualTo(1);
        assertThat(entry("1007").getInsType()).as("written before the crash").isEqualTo("tempro");
        later(Duration.ofSeconds(10)); // the k8s retry profile's pause
        finish(replace);
        assertThat(entries()).containsOnlyKeys("1002", "1006", "1007");
        assertThat(nextId()).isEqualTo(1008);
        assertThat(resources.applied).doesNotContainKey("Pod:default/pg-local-1003-1008");
    }

    @Test
    void aNewFlowAfterACancelGoesOnWithTheInstanceAlreadyAllocated() {
        var first = replace(Map.of("insId", "1004"));
        driveTo("Task_CheckReplicaCaughtUp");
        assertThat(entry("1007").getInsType()).isEqualTo("tempro");
        engine.getRuntimeService().deleteProcessInstance(first.getId(), "cancelled", false, true);

        var second = start("ReplaceInstance", Map.of("insId", "1004"));
        finish(second);
        assertReplaced("1004", "1007", NEW_RO);
        assertThat(nextId()).isEqualTo(1008);
        verify(manager, times(1)).install(any(), any()); // an installed instance is not installed again
    }

    @Test
    void anOldRwIsKeptForTheCallerToSwitchOver() {
        var replace = replace(Map.of("insId", "1002"));
        finish(replace);
        assertThat(entry("1007").getInsType()).isEqualTo("ro");
        assertThat(entry("1007").getPhysicalInsId()).isEqualTo("1001");
        assertThat(entry("1007").getReplacesInsId())
                .as("kept until the old RW is removed")
                .isEqualTo("1002");
        assertThat(entry("1002").getInsType()).isEqualTo("rw");
        assertThat(podExists(RW)).isTrue();
        verify(manager, never()).stop(any(), any(), anyInt());
        verify(manager, never()).removeSlot(any(), any(), any(), any());
    }

    @Test
    void anRoThatDoesNotStopIsRemovedAnyway() {
        runningCluster();
        when(manager.stop(any(), any(), anyInt()))
                .thenThrow(new ManagerException("TIMEOUT", "the agent did not answer", null));
        var replace = start("ReplaceInstance", Map.of("insId", "1004"));
        finish(replace);
        assertReplaced("1004", "1007", NEW_RO);
        assertThat(podExists(RO1)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_AllocateInstance",
                "Task_CreateInstancePod",
                "Task_InstallInstance",
                "Task_CheckReplicaCaughtUp",
                "Task_JoinTopology",
                "Task_DropSlot",
                "Task_DeleteInstancePod",
                "Task_RemoveInstanceEntry"
            })
    void anIncidentAtEachExternalStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        Map<String, Runnable> breakers = Map.of(
                "Task_AllocateInstance", () -> failCall("reserveIds"),
                "Task_CreateInstancePod", () -> failCall("apply"),
                "Task_InstallInstance",
                        () -> when(manager.install(any(), any())).thenThrow(failure),
                "Task_CheckReplicaCaughtUp",
                        () -> doThrow(failure).when(manager).walPosition(any()),
                "Task_JoinTopology", () -> failCall("labelPod"),
                "Task_DropSlot", () -> doThrow(failure).when(manager).removeSlot(any(), any(), any(), any()),
                "Task_DeleteInstancePod", () -> failCall("deletePod"),
                "Task_RemoveInstanceEntry", () -> failCall("updateStatus"));
        var replace = replace(Map.of("insId", "1004"));
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);
        if (!step.equals("Task_RemoveInstanceEntry")) {
            assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        }
        assertThat(entries().values().stream()
                        .filter(i -> "1004".equals(i.getReplacesInsId()) || "1007".equals(i.getInsId()))
                        .count())
                .as("never more than one new instance")
                .isLessThanOrEqualTo(1);

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(replace);
        assertReplaced("1004", "1007", NEW_RO);
        assertThat(nextId()).isEqualTo(1008);
    }
}
