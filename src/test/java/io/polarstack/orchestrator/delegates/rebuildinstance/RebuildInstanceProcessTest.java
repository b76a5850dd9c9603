package io.polarstack.orchestrator.delegates.rebuildinstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.ports.ManagerClient.StopMode;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;

/**
 * RebuildInstance with RemoveInstance, ReplaceInstance and CreateInstance on an in-memory engine, the ports mocked,
 * on a cluster CreateCluster made first, whose RO 1004 has failed (the HA monitor marked it).
 */
@Deployment(
        resources = {
            "processes/rebuild-instance.bpmn",
            "processes/replace-instance.bpmn",
            "processes/remove-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class RebuildInstanceProcessTest extends FlowHarness {

    static final String NEW_RO = "pg-local-1003-1007";

    ProcessInstance rebuild(String insId) {
        runningCluster();
        resources.updateStatus("default", "pg-local", status -> {
            var failed = new InstanceState();
            failed.setState("FAILED");
            status.getDbInstanceStatus().get("1004").setCurrentState(failed);
        });
        return start("RebuildInstance", Map.of("insId", insId));
    }

    void assertRebuilt() {
        assertThat(entries()).containsOnlyKeys("1002", "1006", "1007");
        assertThat(entry("1007").getInsType()).isEqualTo("ro");
        assertThat(entry("1007").getPhysicalInsId()).isEqualTo("1003");
        assertThat(entry("1007").getCurrentState().getState()).isEqualTo("RUNNING");
        assertThat(podExists(RO1)).isFalse();
        assertThat(roleLabel(NEW_RO)).isEqualTo("ro");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void theFailedRoGoesFirstThenANewOneTakesItsSlot() {
        var rebuild = rebuild("1004");
        when(manager.stop(pod(RO1), any(), anyInt()))
                .thenThrow(new ManagerException("TIMEOUT", "the engine hangs", null));
        finish(rebuild);

        assertRebuilt();
        var order = inOrder(manager);
        order.verify(manager).stop(pod(RO1), eq(StopMode.FAST), anyInt()); // tried; it does not answer
        order.verify(manager).removeSlot(pod(RW), eq(SlotType.REPLICA), eq("1003"), eq("1004"));
        order.verify(manager).removeSlot(pod(RW), eq(SlotType.REPLICA), eq("1000"), eq("1004")); // legacy name
        order.verify(manager).createSlot(pod(RW), eq(SlotType.REPLICA), eq("1003"), eq("1007"));
        order.verify(manager).install(pod(NEW_RO), any());
        assertThat(nextId()).isEqualTo(1008);
    }

    @Test
    void aNewFlowAfterACancelGoesOnWithTheSameNewInstance() {
        var first = rebuild("1004");
        driveTo("Task_CheckReplicaCaughtUp");
        assertThat(entry("1007").getInsType()).isEqualTo("tempro");
        assertThat(entry("1004").getCurrentState().getState())
                .as("kept until it is replaced")
                .isEqualTo("FAILED");
        engine.getRuntimeService().deleteProcessInstance(first.getId(), "cancelled", false, true);

        var second = start("RebuildInstance", Map.of("insId", "1004"));
        finish(second);
        assertRebuilt();
        assertThat(nextId()).as("no second id").isEqualTo(1008);
    }

    @Test
    void anIncidentWhileDroppingTheSlotResumes() {
        var rebuild = rebuild("1004");
        driveTo("Task_DropSlot");
        doThrow(new ManagerException("TIMEOUT", "the RW's agent did not answer", null))
                .when(manager)
                .removeSlot(any(), any(), any(), any());
        assertThat(exhaust("Task_DropSlot")).hasMessageContaining("did not answer");
        assertThat(incident().getActivityId()).isEqualTo("Task_DropSlot");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(entries()).doesNotContainKey("1007");

        fixed();
        retry("Task_DropSlot");
        finish(rebuild);
        assertRebuilt();
    }

    @Test
    void theRwIsNeverRebuiltThisWay() {
        var rebuild = rebuild("1002");
        drive();
        assertThat(exhaust("Task_StopInstance"))
                .hasMessageContaining("1002 is the RW")
                .hasMessageContaining("never removed");
        assertThat(ended(rebuild)).isFalse();
        assertThat(podExists(RW)).isTrue();
        assertThat(entries()).containsOnlyKeys("1002", "1004", "1006");
        verify(manager, never()).stop(any(), any(), anyInt());
    }
}
