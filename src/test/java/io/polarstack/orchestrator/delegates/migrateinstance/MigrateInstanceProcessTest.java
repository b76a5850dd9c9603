package io.polarstack.orchestrator.delegates.migrateinstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.ports.ManagerClient.StopMode;
import io.polarstack.orchestrator.specs.Labels;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MigrateInstance with ReplaceInstance, CreateInstance, Failover and RemoveInstance on an in-memory engine, the ports
 * mocked, on a cluster CreateCluster made first. node-c is free; node-b runs both ROs.
 */
@Deployment(
        resources = {
            "processes/migrate-instance.bpmn",
            "processes/replace-instance.bpmn",
            "processes/remove-instance.bpmn",
            "processes/failover.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class MigrateInstanceProcessTest extends FlowHarness {

    ProcessInstance migrate(String insId, String targetNode) {
        runningCluster();
        annotate("migrate", insId + "|" + targetNode);
        return start("MigrateInstance", Map.of("insId", insId, "targetNode", targetNode));
    }

    @Test
    void anRoMovesToTheTargetNode() {
        var migrate = migrate("1004", "node-c");
        finish(migrate);

        assertThat(entries()).containsOnlyKeys("1002", "1006", "1007");
        assertThat(entry("1007").getInsType()).isEqualTo("ro");
        assertThat(entry("1007").getNodeName()).isEqualTo("node-c");
        assertThat(entry("1007").getPhysicalInsId()).isEqualTo("1003");
        assertThat(podExists(RO1)).isFalse();
        assertThat(annotations()).doesNotContainKey("migrate");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.events)
                .anyMatch(e -> e.equals("Normal InstanceMigrated: 1004 moved to node-c as ro 1007"));
        verify(manager, never()).promote(any());
    }

    @Test
    void theRwMovesBySwitchingOverToItsReplacementWhichIsThenRemoved() {
        String newRw = "pg-local-1001-1007";
        var migrate = migrate("1002", "node-c");
        driveTo("Task_Promote");
        primaries.add(newRw); // answers as the primary once promoted
        finish(migrate);

        var status = resources.cluster.getStatus();
        assertThat(status.getLeaderInstanceId()).isEqualTo("1007");
        assertThat(status.getLeaderInstanceHost()).isEqualTo("node-c");
        assertThat(entries()).containsOnlyKeys("1004", "1006", "1007");
        assertThat(entry("1007").getInsType()).isEqualTo("rw");
        assertThat(entry("1007").getPhysicalInsId()).as("the RW's slot").isEqualTo("1001");
        assertThat(entry("1007").getReplacesInsId()).isNull();
        assertThat(roleLabel(newRw)).isEqualTo("rw");
        assertThat(podExists(RW)).isFalse();
        assertThat(status.getClusterStatus()).isEqualTo("Running");
        assertThat(Conditions.get(status, Conditions.AUTO_FAILOVER).getStatus())
                .as("HA monitor resumed")
                .isEqualTo("True");
        assertThat(annotations()).doesNotContainKey("migrate");
        assertThat(resources.events)
                .as("Running after the creation and at the migration's end, not at the called switchover's end")
                .filteredOn(e -> e.startsWith("Normal Running:"))
                .hasSize(2);

        var order = inOrder(manager);
        order.verify(manager).install(pod(newRw), any());
        order.verify(manager).stop(pod(RW), eq(StopMode.FAST), anyInt()); // planned: writes stop here
        order.verify(manager).promote(pod(newRw));
        order.verify(manager).follow(pod(RO1), any(), eq("1003"), eq("1004"));
        order.verify(manager).removeSlot(pod(newRw), eq(SlotType.REPLICA), eq("1001"), eq("1002"));
        order.verify(manager).removeSlot(pod(newRw), eq(SlotType.REPLICA), eq("1000"), eq("1002"));
        verify(manager, times(1)).promote(any());
        verify(manager, never()).rejoin(any(), any(), anyString(), anyString());
    }

    @Test
    void aFlowCancelledAfterTheSwitchoverIsFinishedByTheNextOne() {
        String newRw = "pg-local-1001-1007";
        var first = migrate("1002", "node-c");
        driveTo("Task_Promote");
        primaries.add(newRw);
        driveTo("Task_StopInstance"); // switched over; the old RW is about to be removed
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1007");
        engine.getRuntimeService().deleteProcessInstance(first.getId(), "cancelled", false, true);

        // 1002 is no leader any more: the same annotation now reads as an RO migration
        var second = start("MigrateInstance", Map.of("insId", "1002", "targetNode", "node-c"));
        finish(second);
        assertThat(entries()).containsOnlyKeys("1004", "1006", "1007");
        assertThat(entry("1007").getInsType()).isEqualTo("rw");
        assertThat(roleLabel(newRw)).as("still in the RW Service").isEqualTo("rw");
        assertThat(podExists(RW)).isFalse();
        assertThat(nextId()).isEqualTo(1008);
        verify(manager, times(1)).promote(any());
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-b", "node-x", "maintenance", "not-ready"})
    void aTargetNodeThatCannotTakeItRefusesTheMigrationBeforeAnythingChanges(String target) {
        runningCluster();
        String node = target;
        if (target.equals("maintenance")) {
            node = "node-c";
            resources.nodes.set(
                    2, new ClusterResources.Node("node-c", "127.0.0.4", Map.of(Labels.MAINTAIN_NODE, ""), Map.of()));
        } else if (target.equals("not-ready")) {
            node = "node-c";
            resources.nodes.set(2, new ClusterResources.Node("node-c", "127.0.0.4", Map.of(), Map.of(), false));
        }
        annotate("migrate", "1004|" + node);
        var migrate = start("MigrateInstance", Map.of("insId", "1004", "targetNode", node));
        finish(migrate);

        assertThat(entries()).containsOnlyKeys("1002", "1004", "1006");
        assertThat(nextId()).as("nothing allocated").isEqualTo(1007);
        assertThat(podExists(RO1)).isTrue();
        assertThat(resources.applied.keySet()).noneMatch(k -> k.startsWith("Pod:default/pg-local-1003-1007"));
        assertThat(annotations()).doesNotContainKey("migrate");
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("TARGET_NODE_UNAVAILABLE");
        assertThat(condition.getMessage()).contains("migration of 1004 refused", "node " + node);
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning TARGET_NODE_UNAVAILABLE: migration of 1004 refused"));
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        verify(manager, never()).stop(any(), any(), anyInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_Promote", "Task_DropSlot"})
    void anIncidentInTheSwitchoverOrTheRemovalResumes(String step) {
        String newRw = "pg-local-1001-1007";
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        var migrate = migrate("1002", "node-c");
        driveTo(step);
        if (step.equals("Task_Promote")) {
            when(manager.promote(any())).thenThrow(failure);
        } else {
            doThrow(failure).when(manager).removeSlot(any(), any(), any(), any());
        }
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(entries()).containsKey("1002");

        fixed();
        primaries.add(newRw);
        retry(step);
        finish(migrate);
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1007");
        assertThat(entries()).containsOnlyKeys("1004", "1006", "1007");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }
}
