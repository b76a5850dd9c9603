package io.polarstack.orchestrator.delegates.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.verify;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.StopMode;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ExpiryLock and ExpiryUnlock on an in-memory engine, on a cluster CreateCluster made (RW 1002, ROs 1004, 1006). */
@Deployment(
        resources = {
            "processes/expiry-lock.bpmn",
            "processes/expiry-unlock.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class ExpiryLockProcessTest extends FlowHarness {

    String expired() {
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.EXPIRED);
        return condition == null ? null : condition.getStatus() + "/" + condition.getReason();
    }

    @Test
    void everyEngineStopsBehindItsLockAndStartsAgainHealthy() {
        runningCluster();
        annotate("expired", "true");
        // the stops take a while: the flow polls them through its timer loop
        AtomicInteger polls = new AtomicInteger();
        doAnswer(a -> new ManagerClient.Run(polls.incrementAndGet() > 3, polls.get() == 1, Map.of()))
                .when(manager)
                .stopInBackground(any(), any(), anyInt(), anyString());
        var lock = start("ExpiryLock", Map.of());
        for (int wait = 0; wait < 5 && !ended(lock); wait++) {
            drive();
            later(java.time.Duration.ofSeconds(3));
        }
        finish(lock);

        assertThat(polls.get()).as("polled through the timer loop").isGreaterThan(3);
        assertThat(expired()).isEqualTo("True/Expired");
        for (String pod : new String[] {RW, RO1, RO2}) {
            verify(manager, org.mockito.Mockito.atLeastOnce())
                    .stopInBackground(pod(pod), eq(StopMode.FAST), anyInt(), anyString());
        }
        assertThat(podExists(RW)).as("the containers keep running").isTrue();
        assertThat(resources.events).anyMatch(e -> e.startsWith("Warning ClusterExpired"));

        annotate("expired", "false");
        finish(start("ExpiryUnlock", Map.of()));
        assertThat(expired()).isEqualTo("False/Renewed");
        for (String pod : new String[] {RW, RO1, RO2}) {
            verify(manager).startInBackground(pod(pod), anyString());
            verify(manager).health(pod(pod));
        }
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal ClusterRenewed"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_MarkExpired", "Task_StopExpiredInstances", "Task_FinishExpiryLock"})
    void anIncidentAtEachLockStepResumesWhereItStopped(String step) {
        Map<String, Runnable> breakers = Map.of(
                "Task_MarkExpired", () -> failCall("updateStatus"),
                "Task_StopExpiredInstances",
                        () -> doThrow(new ManagerException("TIMEOUT", "the stop did not end in time", null))
                                .when(manager)
                                .stopInBackground(any(), any(), anyInt(), anyString()),
                "Task_FinishExpiryLock", () -> failCall("updateStatus"));
        runningCluster();
        annotate("expired", "true");
        var lock = start("ExpiryLock", Map.of());
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);
        if (!step.equals("Task_MarkExpired")) {
            assertThat(expired()).as("set before any stop").isEqualTo("True/Locking");
        }

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(lock);
        assertThat(expired()).isEqualTo("True/Expired");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_StartExpiredInstances", "Task_CheckUnlockedHealth", "Task_FinishExpiryUnlock"})
    void anIncidentAtEachUnlockStepResumesWhereItStopped(String step) {
        Map<String, Runnable> breakers = Map.of(
                "Task_StartExpiredInstances",
                        () -> doThrow(new ManagerException("TIMEOUT", "crash recovery did not end in time", null))
                                .when(manager)
                                .startInBackground(any(), anyString()),
                "Task_CheckUnlockedHealth",
                        () -> doReturn(new ManagerClient.Health(ManagerClient.HealthState.STOPPED, true, "locked"))
                                .when(manager)
                                .health(any()),
                "Task_FinishExpiryUnlock", () -> failCall("updateStatus"));
        runningCluster();
        finish(start("ExpiryLock", Map.of()));
        fixed();
        var unlock = start("ExpiryUnlock", Map.of());
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);
        assertThat(expired()).as("not reported back before it is").startsWith("True");

        resources.onCall = call -> {};
        fixed();
        retry(step);
        finish(unlock);
        assertThat(expired()).isEqualTo("False/Renewed");
    }
}
