package io.polarstack.orchestrator.delegates.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RestartInstance on an in-memory engine, the ports mocked, on a cluster CreateCluster made first: RW 1002, ROs 1004
 * and 1006. Started as the operator starts it for {@code restartIns=<insId>}.
 */
@Deployment(
        resources = {
            "processes/restart-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class RestartInstanceProcessTest extends FlowHarness {

    ProcessInstance restart(String insId) {
        runningCluster();
        annotate(Annotations.RESTART_INS, insId);
        afterCreate.forEach(Runnable::run);
        return start("RestartInstance", Map.of("insId", insId));
    }

    void assertServed() {
        assertThat(annotations()).doesNotContainKeys(Annotations.RESTART_INS, Annotations.HA_PAUSED_INS);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count())
                .isZero();
    }

    @Test
    void anRoRestartsOnceAndTheRestIsUntouched() {
        var restart = restart("1004");
        driveTo("Task_RestartEngine");
        assertThat(annotations()).containsEntry(Annotations.HA_PAUSED_INS, "1004");
        finish(restart);
        verify(manager, times(1)).restart(pod(RO1));
        verify(manager, never()).restart(pod(RW));
        verify(manager, never()).restart(pod(RO2));
        assertServed();
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal RestartStarted: RO 1004"))
                .anyMatch(e -> e.startsWith("Normal EngineRestarted: instance 1004"))
                .anyMatch(e -> e.startsWith("Normal InstanceRestarted: instance 1004"));
    }

    @Test
    void theRwRestartsInPlaceAndCountsOnceItRunsAgain() {
        var restart = restart("1002");
        finish(restart);
        verify(manager, times(1)).restart(pod(RW));
        verify(manager, never()).walPosition(pod(RO1));
        assertServed();
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");
    }

    @Test
    void anRoCountsOnlyOnceItReplayedUpToTheRwsPositionAfterItsRestart() {
        afterCreate.add(() -> {
            positions.put(RW, 5000L);
            positions.put(RO1, 4000L);
        });
        var restart = restart("1004");
        drive();
        assertThat(ended(restart)).isFalse();
        assertThat(annotations()).containsEntry(Annotations.HA_PAUSED_INS, "1004");
        // the RW writes on; the mark stays the position read after the restart
        positions.put(RW, 9000L);
        positions.put(RO1, 5000L);
        later(Duration.ofSeconds(3));
        drive();
        assertThat(ended(restart)).isTrue();
        assertServed();
    }

    @Test
    void aRestartThatOutlastsAStepIsPolledUntilItEnds() {
        var polls = new AtomicInteger();
        afterCreate.add(() -> doAnswer(a -> {
                    boolean done = polls.incrementAndGet() >= 3;
                    if (done) {
                        manager.restart(a.getArgument(0));
                    }
                    return new ManagerClient.Run(done, polls.get() == 1, Map.of());
                })
                .when(manager)
                .restartInBackground(any(), anyString()));
        var restart = restart("1006");
        // the run's id is the same on every poll: one restart, however many polls
        for (int i = 0; i < 3 && !ended(restart); i++) {
            drive();
            later(Duration.ofSeconds(3));
        }
        drive();
        assertThat(ended(restart)).isTrue();
        assertThat(polls.get()).isEqualTo(3);
        verify(manager, times(1)).restart(pod(RO2));
        assertServed();
    }

    @Test
    void anUnknownInstanceStopsBeforeAnythingIsRestarted() {
        var restart = restart("1999");
        driveTo("Task_PauseInstanceHa");
        assertThat(exhaust("Task_PauseInstanceHa"))
                .hasMessageContaining("restartIns=1999")
                .hasMessageContaining("[1002, 1004, 1006]");
        verify(manager, never()).restartInBackground(any(), anyString());
        assertThat(ended(restart)).isFalse();
    }

    @Test
    void anRoThatNeverCatchesUpEndsAtAnIncidentAndARetryAfterTheFixFinishes() {
        afterCreate.add(() -> positions.put(RO1, 10L));
        var restart = restart("1004");
        drive();
        later(Duration.ofMinutes(11));
        drive();
        assertThat(exhaust("Task_ReportRestartBehind"))
                .hasMessageContaining("instance 1004 replayed up to 10, the RW had written 1000");
        assertThat(incident().getActivityId()).isEqualTo("Task_ReportRestartBehind");
        assertThat(annotations()).containsEntry(Annotations.HA_PAUSED_INS, "1004");
        positions.put(RO1, 1000L);
        retry("Task_ReportRestartBehind");
        assertThat(drive()).isZero();
        assertThat(ended(restart)).isTrue();
        assertServed();
    }

    /** An incident in each external step; fixed and retried, the restart completes. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_PauseInstanceHa",
                "Task_RestartEngine",
                "Task_CheckRestartCaughtUp",
                "Task_ResumeInstanceHa",
                "Task_UpdateRunningStatus"
            })
    void anIncidentAtEachStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        Map<String, Runnable> breakers = Map.of(
                "Task_PauseInstanceHa", () -> resources.failing.add("annotate"),
                "Task_RestartEngine", () -> doThrow(failure).when(manager).restart(pod(RO1)),
                "Task_CheckRestartCaughtUp",
                        () -> doThrow(failure).when(manager).health(pod(RO1)),
                "Task_ResumeInstanceHa", () -> {},
                "Task_UpdateRunningStatus", () -> {});
        afterCreate.add(breakers.get(step));
        var restart = restart("1004");
        if (step.equals("Task_ResumeInstanceHa")) {
            driveTo(step);
            resources.failing.add("annotate");
        } else if (step.equals("Task_UpdateRunningStatus")) {
            driveTo(step);
            resources.failing.add("updateStatus");
        }
        drive();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);

        resources.failing.clear();
        fixed();
        retry(step);
        assertThat(drive()).isZero();
        assertThat(ended(restart)).isTrue();
        if (step.equals("Task_PauseInstanceHa") || step.equals("Task_RestartEngine")) {
            verify(manager, times(1)).restart(pod(RO1)); // the retry restarts what the failed attempts did not
        } else {
            verify(manager, never()).restart(any()); // restarted before the incident; the retry does not again
        }
        assertServed();
    }
}
