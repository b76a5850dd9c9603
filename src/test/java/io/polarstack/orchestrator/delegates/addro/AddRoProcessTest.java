package io.polarstack.orchestrator.delegates.addro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AddRo with CreateInstance on an in-memory engine, the ports mocked, on a cluster CreateCluster made first, whose
 * spec then asks for a third RO: slot 1007, instance 1008, pod pg-local-1007-1008.
 */
@Deployment(resources = {"processes/add-ro.bpmn", "processes/create-cluster.bpmn", "processes/create-instance.bpmn"})
class AddRoProcessTest extends FlowHarness {

    static final String NEW_RO = "pg-local-1007-1008";

    ProcessInstance addRo() {
        runningCluster();
        resources.cluster.getSpec().setFollowerNum(3);
        return start("AddRo", Map.of());
    }

    void assertAdded() {
        assertThat(entries()).containsOnlyKeys("1002", "1004", "1006", "1008");
        var instance = entry("1008");
        assertThat(instance.getInsType()).isEqualTo("ro");
        assertThat(instance.getPhysicalInsId()).isEqualTo("1007");
        assertThat(instance.getReplacesInsId()).isNull();
        assertThat(instance.getInstalled()).isTrue();
        assertThat(roleLabel(NEW_RO)).isEqualTo("ro");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(nextId()).as("two ids: slot and instance").isEqualTo(1009);
    }

    @Test
    void oneRoInANewSlotCaughtUpThenInTheTopology() {
        var add = addRo();
        finish(add);
        assertAdded();
        verify(manager).createSlot(pod(RW), eq(SlotType.REPLICA), eq("1007"), eq("1008"));
        verify(manager).install(pod(NEW_RO), any());
    }

    @Test
    void itCountsAsAnRoOnlyOnceCaughtUp() {
        var add = addRo();
        positions.put(RW, 1000L + LAG_LIMIT + 1);
        drive();
        assertThat(entry("1008").getInsType()).isEqualTo("tempro");
        assertThat(roleLabel(NEW_RO)).as("not in the RO Service yet").isEqualTo("tempro");

        positions.put(RW, 1000L);
        later(Duration.ofSeconds(3));
        finish(add);
        assertAdded();
    }

    @Test
    void aCrashBetweenAllocatingAndCreatingDoesNotAllocateASecondSlot() {
        runningCluster();
        resources.cluster.getSpec().setFollowerNum(3);
        boolean[] crashed = {false};
        // the status write is done, then the step dies before its transaction commits
        resources.onCall = call -> {
            if (call.equals("event InstanceAllocated") && !crashed[0]) {
                crashed[0] = true;
                throw new IllegalStateException("the orchestrator died here");
            }
        };
        var add = start("AddRo", Map.of());
        assertThat(drive()).isEqualTo(1);
        assertThat(entry("1008").getInsType()).as("written before the crash").isEqualTo("tempro");
        later(Duration.ofSeconds(10)); // the k8s retry profile's pause
        finish(add);
        assertAdded();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_AllocateRo",
                "Task_CreateInstancePod",
                "Task_InstallInstance",
                "Task_CheckReplicaCaughtUp",
                "Task_JoinTopology"
            })
    void anIncidentAtEachExternalStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        Map<String, Runnable> breakers = Map.of(
                "Task_AllocateRo", () -> failCall("reserveIds"),
                "Task_CreateInstancePod", () -> failCall("apply"),
                "Task_InstallInstance",
                        () -> when(manager.install(any(), any())).thenThrow(failure),
                "Task_CheckReplicaCaughtUp",
                        () -> doThrow(failure).when(manager).walPosition(any()),
                "Task_JoinTopology", () -> failCall("labelPod"));
        var add = addRo();
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(add);
        assertAdded();
        boolean installedBefore = !Set.of("Task_AllocateRo", "Task_CreateInstancePod", "Task_InstallInstance")
                .contains(step);
        verify(manager, times(installedBefore ? 0 : 1)).install(any(), any()); // never installed twice
    }
}
