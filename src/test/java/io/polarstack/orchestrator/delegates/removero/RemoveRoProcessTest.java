package io.polarstack.orchestrator.delegates.removero;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.ports.ManagerClient.StopMode;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RemoveRo with RemoveInstance on an in-memory engine, the ports mocked, on a cluster CreateCluster made first
 * (followerNum 2: ROs 1004 and 1006).
 */
@Deployment(
        resources = {
            "processes/remove-ro.bpmn",
            "processes/remove-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class RemoveRoProcessTest extends FlowHarness {

    ProcessInstance removeRo(String insId) {
        runningCluster();
        annotate("removeIns", insId);
        return start("RemoveRo", Map.of("insId", insId));
    }

    void assertRemoved1004() {
        assertThat(entries()).containsOnlyKeys("1002", "1006");
        assertThat(podExists(RO1)).isFalse();
        assertThat(podExists(RO2)).isTrue();
        assertThat(resources.cluster.getSpec().getFollowerNum())
                .as("lowered once")
                .isEqualTo(1);
        assertThat(annotations()).doesNotContainKey("removeIns");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void theNamedRoGoesNotTheLastOne() {
        var remove = removeRo("1004");
        finish(remove);

        assertRemoved1004();
        var order = inOrder(manager);
        order.verify(manager).stop(pod(RO1), eq(StopMode.FAST), anyInt());
        order.verify(manager).removeSlot(pod(RW), eq(SlotType.REPLICA), eq("1003"), eq("1004"));
        order.verify(manager).removeSlot(pod(RW), eq(SlotType.REPLICA), eq("1000"), eq("1004")); // legacy name
        verify(manager, never()).stop(pod(RO2), any(), anyInt());
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal RoRemoved: RO 1004 removed; 1 RO(s) left"));
    }

    @Test
    void theRwIsRefusedWithNothingChanged() {
        var remove = removeRo("1002");
        finish(remove);

        assertThat(entries()).containsOnlyKeys("1002", "1004", "1006");
        assertThat(podExists(RW)).isTrue();
        assertThat(resources.cluster.getSpec().getFollowerNum()).isEqualTo(2);
        assertThat(annotations()).doesNotContainKey("removeIns");
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("RW_NOT_REMOVABLE");
        assertThat(condition.getMessage()).contains("removeIns=1002 names the RW", "switch over first");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Warning RW_NOT_REMOVABLE"));
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        verify(manager, never()).stop(any(), any(), anyInt());
        verify(manager, never()).removeSlot(any(), any(), any(), any());
    }

    @Test
    void anInstanceThatIsGoneLeavesNothingToRemove() {
        var remove = removeRo("4242");
        finish(remove);
        assertThat(entries()).containsOnlyKeys("1002", "1004", "1006");
        assertThat(resources.cluster.getSpec().getFollowerNum()).isEqualTo(2);
        assertThat(annotations()).doesNotContainKey("removeIns");
        verify(manager, never()).removeSlot(any(), any(), any(), any());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"Task_DropSlot", "Task_DeleteInstancePod", "Task_RemoveInstanceEntry", "Task_FinishRemoval"})
    void anIncidentAtEachExternalStepResumesWhereItStopped(String step) {
        Map<String, Runnable> breakers = Map.of(
                "Task_DropSlot",
                        () -> doThrow(new ManagerException("TIMEOUT", "the RW's agent did not answer", null))
                                .when(manager)
                                .removeSlot(any(), any(), any(), any()),
                "Task_DeleteInstancePod", () -> failCall("deletePod"),
                "Task_RemoveInstanceEntry", () -> failCall("updateStatus"),
                "Task_FinishRemoval",
                        () -> failCall("annotate")); // after followerNum was lowered: a retry lowers it no further
        var remove = removeRo("1004");
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(remove);
        assertRemoved1004();
    }
}
