package io.polarstack.orchestrator.delegates.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LockInstance and UnlockInstance on an in-memory engine, on a local-mode PostgreSQL cluster CreateCluster made. */
@Deployment(
        resources = {
            "processes/lock-instance.bpmn",
            "processes/unlock-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class DiskFullLockProcessTest extends FlowHarness {

    void assertLocked(String reason) {
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.DISK_FULL);
        assertThat(condition.getStatus()).isEqualTo("True");
        assertThat(condition.getReason()).isEqualTo(reason);
        assertThat(annotations()).doesNotContainKey("diskFullLock");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void aRequestLocksTheRwOfAPostgresqlClusterAndAnotherLiftsIt() {
        runningCluster();
        annotate("diskFullLock", "true");
        finish(start("LockInstance", Map.of("lockReason", "LockedByRequest")));

        assertLocked("LockedByRequest");
        verify(manager).lockDiskFull(pod(RW));
        verify(manager, never()).lockDiskFull(pod(RO1)); // a role setting, replicated from the RW
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning DiskFullLocked: ordinary users may only read"));

        annotate("diskFullLock", "false");
        finish(start("UnlockInstance", Map.of()));
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.DISK_FULL);
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(annotations()).doesNotContainKey("diskFullLock");
        verify(manager).unlockDiskFull(pod(RW));
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal DiskFullUnlocked"));
    }

    @Test
    void theMonitorsLockSaysWhyAndLeavesNoAnnotationBehind() {
        runningCluster();
        finish(start(
                "LockInstance",
                Map.of("lockReason", "UsageOverThreshold", "lockMessage", "data usage 96% of the instance quota")));
        assertLocked("UsageOverThreshold");
        assertThat(Conditions.get(resources.cluster.getStatus(), Conditions.DISK_FULL)
                        .getMessage())
                .contains("data usage 96% of the instance quota");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_LockDiskFull", "Task_FinishDiskFullLock"})
    void anIncidentAtEachLockStepResumesWhereItStopped(String step) {
        Map<String, Runnable> breakers = Map.of(
                "Task_LockDiskFull",
                () -> doThrow(new ManagerException("TIMEOUT", "the RW's agent did not answer", null))
                        .when(manager)
                        .lockDiskFull(any()),
                "Task_FinishDiskFullLock",
                () -> failCall("updateStatus"));
        runningCluster();
        annotate("diskFullLock", "true");
        var lock = start("LockInstance", Map.of("lockReason", "LockedByRequest"));
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(lock);
        assertLocked("LockedByRequest");
        verify(manager, times(step.equals("Task_LockDiskFull") ? 1 : 0)).lockDiskFull(pod(RW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_UnlockDiskFull", "Task_FinishDiskFullUnlock"})
    void anIncidentAtEachUnlockStepResumesWhereItStopped(String step) {
        Map<String, Runnable> breakers = Map.of(
                "Task_UnlockDiskFull",
                () -> doThrow(new ManagerException("ENGINE_NOT_RUNNING", "the RW does not run", null))
                        .when(manager)
                        .unlockDiskFull(any()),
                "Task_FinishDiskFullUnlock",
                () -> failCall("updateStatus"));
        runningCluster();
        annotate("diskFullLock", "false");
        var unlock = start("UnlockInstance", Map.of());
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(unlock);
        assertThat(Conditions.get(resources.cluster.getStatus(), Conditions.DISK_FULL)
                        .getStatus())
                .isEqualTo("False");
        assertThat(annotations()).doesNotContainKey("diskFullLock");
    }
}
