package io.polarstack.orchestrator.delegates.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RestartCluster on an in-memory engine with the flows it calls, the ports mocked, on a cluster CreateCluster made
 * first: RW 1002, ROs 1004 and 1006.
 */
@Deployment(
        resources = {
            "processes/restart-cluster.bpmn",
            "processes/restart-instance.bpmn",
            "processes/failover.bpmn",
            "processes/rebuild-instance.bpmn",
            "processes/replace-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn",
            "processes-test/calls-restart-cluster.bpmn"
        })
class RestartClusterProcessTest extends FlowHarness {

    ProcessInstance restartCluster(Map<String, Object> variables) {
        runningCluster();
        annotate(Annotations.RESTART_CLUSTER, "true");
        afterCreate.forEach(Runnable::run);
        return start("RestartCluster", variables);
    }

    void assertServed(String leader) {
        assertThat(annotations()).doesNotContainKeys(Annotations.RESTART_CLUSTER, Annotations.HA_PAUSED_INS);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo(leader);
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count())
                .isZero();
    }

    @Test
    void inPlaceTheRosOneAtATimeThenTheRw() {
        finish(restartCluster(Map.of()));
        var order = inOrder(manager);
        order.verify(manager).restart(pod(RO1));
        order.verify(manager).health(pod(RO1)); // serving and caught up before the next
        order.verify(manager).restart(pod(RO2));
        order.verify(manager).restart(pod(RW));
        verify(manager, never()).promote(any());
        assertServed("1002");
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith(
                        "Normal ClusterRestartPlanned: ROs [1004, 1006] one at a time, then the RW" + " 1002 in place"))
                .anyMatch(e -> e.startsWith("Normal ClusterRestarted: every instance restarted; the RW is 1002"));
    }

    @Test
    void byTheAnnotationTheRwRoleMovesByASwitchoverAndTheOldRwRejoinsRestarted() {
        afterCreate.add(() -> annotate(Annotations.RESTART_RW_BY, "switchover"));
        finish(restartCluster(Map.of()));
        var order = inOrder(manager);
        order.verify(manager).restart(pod(RO1));
        order.verify(manager).restart(pod(RO2));
        order.verify(manager).promote(any());
        order.verify(manager).rejoin(pod(RW), any(), any(), any());
        verify(manager, never()).restart(pod(RW));
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isIn("1004", "1006");
        assertServed(resources.cluster.getStatus().getLeaderInstanceId());
    }

    @Test
    void theRequestsChoiceWinsOverTheAnnotation() {
        afterCreate.add(() -> annotate(Annotations.RESTART_RW_BY, "switchover"));
        finish(restartCluster(Map.of("rwSwitchover", false)));
        verify(manager).restart(pod(RW));
        verify(manager, never()).promote(any());
        assertServed("1002");
    }

    @Test
    void calledByAnotherClusterFlowItRunsUnderItsCallerWithTheClusterVariablesOnly() {
        runningCluster();
        var caller = start("CallsRestartCluster", Map.of());
        drive();
        // the caller holds the cluster (the guard lets its own call in); RestartCluster left the status to it
        assertThat(engine.getTaskService()
                        .createTaskQuery()
                        .taskDefinitionKey("Task_AfterRestart")
                        .count())
                .isEqualTo(1);
        verify(manager).restart(pod(RO1));
        verify(manager).restart(pod(RO2));
        verify(manager).restart(pod(RW));
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal ClusterRestarted"));
        assertThat(ended(caller)).isFalse();
        assertThat(annotations()).doesNotContainKey(Annotations.HA_PAUSED_INS);
    }

    /** An incident in each external step (or the flow it calls there); fixed and retried, the restart completes. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_PlanClusterRestart",
                "Task_RestartRos",
                "Task_RestartRw",
                "Task_Switchover",
                "Task_FinishClusterRestart",
                "Task_UpdateRunningStatus"
            })
    void anIncidentAtEachStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        Map<String, Runnable> breakers = Map.of(
                "Task_PlanClusterRestart", () -> annotate(Annotations.RESTART_RW_BY, "sideways"),
                "Task_RestartRos", () -> doThrow(failure).when(manager).restart(pod(RO2)),
                "Task_RestartRw", () -> doThrow(failure).when(manager).restart(pod(RW)),
                "Task_Switchover",
                        () -> {
                            annotate(Annotations.RESTART_RW_BY, "switchover");
                            when(manager.promote(any())).thenThrow(failure);
                        },
                "Task_FinishClusterRestart", () -> {},
                "Task_UpdateRunningStatus", () -> {});
        Map<String, String> failing = Map.of(
                "Task_RestartRos", "Task_RestartEngine",
                "Task_RestartRw", "Task_RestartEngine",
                "Task_Switchover", "Task_Promote");
        String failingStep = failing.getOrDefault(step, step);
        afterCreate.add(breakers.get(step));
        var restart = restartCluster(Map.of());
        if (step.equals("Task_FinishClusterRestart")) {
            driveTo(step);
            resources.failing.add("annotate");
        } else if (step.equals("Task_UpdateRunningStatus")) {
            driveTo(step);
            resources.failing.add("updateStatus");
        }
        drive();
        assertThat(exhaust(failingStep)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(failingStep);

        resources.failing.clear();
        if (step.equals("Task_PlanClusterRestart")) {
            annotate(Annotations.RESTART_RW_BY, "inPlace");
        }
        boolean switchover = step.equals("Task_Switchover");
        fixed();
        retry(failingStep);
        assertThat(drive()).isZero();
        assertThat(ended(restart)).isTrue();
        if (step.equals("Task_RestartRos")) {
            var order = inOrder(manager);
            order.verify(manager).restart(pod(RO2)); // the RO that failed, then the RW: nothing twice
            order.verify(manager).restart(pod(RW));
            verify(manager, never()).restart(pod(RO1));
        }
        assertServed(switchover ? resources.cluster.getStatus().getLeaderInstanceId() : "1002");
    }
}
