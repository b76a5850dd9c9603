package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What each write leaves in the status, and that writing it again leaves the same. */
class ClusterStatusWriterTest {

    final MPDCluster cluster = new MPDCluster();
    ClusterStatusWriter writer;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void cluster() {
        cluster.setMetadata(
                new ObjectMetaBuilder().withNamespace("ns").withName("c").build());
        cluster.setStatus(new MPDClusterStatus());
        cluster.getStatus()
                .setDbInstanceStatus(new HashMap<>(Map.of(
                        "1",
                        instance("1", InstanceRole.RW, "RUNNING"),
                        "2",
                        instance("2", InstanceRole.RO, "RUNNING"))));
        ClusterResources resources = mock(ClusterResources.class);
        when(resources.updateStatus(eq("ns"), eq("c"), any())).thenAnswer(call -> {
            call.<Consumer<MPDClusterStatus>>getArgument(2).accept(cluster.getStatus());
            return cluster;
        });
        writer = new ClusterStatusWriter(resources);
    }

    @Test
    void aStepKeepsTheFlowItBelongsToAndAnIncidentInterruptsIt() {
        writer.flowStarted("ns", "c", 3L, ClusterState.SWITCH_RW, "Failover", "pi-1");
        var started = cluster.getStatus().getFlow();
        writer.stepStarted("ns", "c", "Failover", "pi-1", "Task_Promote");
        assertThat(cluster.getStatus().getFlow()).isSameAs(started);
        assertThat(started.getStep()).isEqualTo("Task_Promote");
        assertThat(cluster.getStatus().getObservedGeneration()).isEqualTo(3L);

        writer.incident("ns", "c", "Failover", "pi-1", "Task_Promote", "boom", "retry it");
        assertThat(cluster.getStatus().getClusterStatus()).isEqualTo(ClusterState.INTERRUPT);
        assertThat(started.getIncident()).isEqualTo("boom");
        assertThat(Conditions.get(cluster.getStatus(), Conditions.INTERRUPTED).getMessage())
                .isEqualTo("Task_Promote failed: boom. retry it");

        writer.stepStarted("ns", "c", "Failover", "pi-1", "Task_Promote");
        assertThat(started.getIncident()).as("the step runs again").isNull();
        writer.flowEnded("ns", "c", "Failover", false);
        assertThat(cluster.getStatus().getFlow()).isNull();
        assertThat(Conditions.get(cluster.getStatus(), Conditions.FLOW_RUNNING).getReason())
                .isEqualTo("Completed");
    }

    @Test
    void aStepOfAnotherFlowStartsItsOwn() {
        writer.flowStarted("ns", "c", 1L, ClusterState.ADD_RO, "AddRo", "pi-1");
        writer.stepStarted("ns", "c", "RemoveRo", "pi-2", "Task_CheckRemoveRo");
        assertThat(cluster.getStatus().getFlow().getName()).isEqualTo("RemoveRo");
        assertThat(cluster.getStatus().getFlow().getProcessInstanceId()).isEqualTo("pi-2");
    }

    @Test
    void movingTheRwTwiceLeavesTheSameTopology() {
        writer.rwMoved("ns", "c", "2", "1", "FENCED");
        var instances = cluster.getStatus().getDbInstanceStatus();
        assertThat(cluster.getStatus().getLeaderInstanceId()).isEqualTo("2");
        assertThat(instances.get("2").getInsType()).isEqualTo(InstanceRole.RW);
        assertThat(instances.get("1").getInsType()).isEqualTo(InstanceRole.RO);
        assertThat(instances.get("1").getCurrentState().getState()).isEqualTo("FENCED");
        assertThat(instances.get("1").getLastState().getState()).isEqualTo("RUNNING");

        InstanceState fenced = instances.get("1").getCurrentState();
        writer.rwMoved("ns", "c", "2", "1", "FENCED");
        assertThat(instances.get("1").getCurrentState()).isSameAs(fenced);
        assertThat(instances.get("1").getLastState().getState())
                .as("where it was before the fence")
                .isEqualTo("RUNNING");
    }

    @Test
    void anInstanceIsAllocatedOnceAndItsStateChangesOnlyWhenAsked() {
        var entry = instance("3", InstanceRole.TEMPRO, "PENDING");
        writer.instanceAllocated(
                "ns", "c", entry, status -> status.getDbInstanceStatus().containsKey("3"));
        writer.instanceAllocated(
                "ns",
                "c",
                instance("3", InstanceRole.RO, "RUNNING"),
                status -> status.getDbInstanceStatus().containsKey("3"));
        assertThat(cluster.getStatus().getDbInstanceStatus().get("3")).isSameAs(entry);

        writer.instanceState("ns", "c", "2", i -> false, "FAILED", "not asked");
        assertThat(cluster.getStatus()
                        .getDbInstanceStatus()
                        .get("2")
                        .getCurrentState()
                        .getState())
                .isEqualTo("RUNNING");
        writer.instanceState("ns", "c", "2", i -> true, "FAILED", "x".repeat(600));
        var state = cluster.getStatus().getDbInstanceStatus().get("2").getCurrentState();
        assertThat(state.getState()).isEqualTo("FAILED");
        assertThat(state.getReason())
                .hasSize(ClusterStatusWriter.MAX_REASON + 3)
                .endsWith("...");
        writer.instanceState("ns", "c", "9", i -> true, "FAILED", "gone");
        assertThat(cluster.getStatus().getDbInstanceStatus()).doesNotContainKey("9");
    }

    static InstanceStatus instance(String insId, String role, String phase) {
        var instance = new InstanceStatus();
        instance.setInsId(insId);
        instance.setInsType(role);
        var state = new InstanceState();
        state.setState(phase);
        instance.setCurrentState(state);
        return instance;
    }
}
