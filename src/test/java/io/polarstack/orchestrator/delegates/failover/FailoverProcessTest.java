package io.polarstack.orchestrator.delegates.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.StopMode;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failover on an in-memory engine, the ports mocked, on a cluster CreateCluster made first: RW 1002 on node-a,
 * ROs 1004 and 1006 (pods pg-local-1001-1002, -1003-1004, -1005-1006).
 */
@Deployment(resources = {"processes/failover.bpmn", "processes/create-cluster.bpmn", "processes/create-instance.bpmn"})
class FailoverProcessTest extends FlowHarness {

    /** CreateCluster first (the deployment exists only once the test runs), then Failover with {@code variables}. */
    ProcessInstance failover(Map<String, Object> variables) {
        runningCluster();
        positions(Map.of(RW, 1000L, RO1, 900L, RO2, 950L));
        afterCreate.forEach(Runnable::run);
        return start("Failover", variables);
    }

    /** The manager answers for a running cluster again, its counts at zero; the ROs behind the RW. */
    void fixedBehind() {
        fixed();
        positions(Map.of(RW, 1000L, RO1, 900L, RO2, 950L));
    }

    /** Only the pods named answer, each at the position it replayed. */
    static void positions(Map<String, Long> replayed) {
        positions.clear();
        for (String pod : List.of(RW, RO1, RO2)) {
            positions.put(pod, replayed.getOrDefault(pod, -1L));
        }
    }

    void assertSwitchedTo(String newRwInsId, String newRwPod) {
        assertSwitchedTo(newRwInsId, newRwPod, 1);
    }

    /** {@code promotions}: how often the manager's promote ran since its counts were last reset (0: by SQL). */
    void assertSwitchedTo(String newRwInsId, String newRwPod, int promotions) {
        var status = resources.cluster.getStatus();
        assertThat(status.getLeaderInstanceId()).isEqualTo(newRwInsId);
        assertThat(status.getDbInstanceStatus().get(newRwInsId).getInsType()).isEqualTo("rw");
        assertThat(status.getDbInstanceStatus().get("1002").getInsType()).isEqualTo("ro");
        assertThat(status.getDbInstanceStatus().get("1002").getCurrentState().getState())
                .isEqualTo("RUNNING");
        assertThat(status.getClusterStatus()).isEqualTo("Running");
        assertThat(roleLabel(newRwPod)).isEqualTo("rw");
        assertThat(roleLabel(RW)).isEqualTo("ro");
        assertThat(Conditions.get(status, Conditions.AUTO_FAILOVER).getStatus())
                .as("HA monitor resumed")
                .isEqualTo("True");
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal RwSwitched: RW moved from 1002 to " + newRwInsId));
        verify(manager, times(promotions)).promote(any());
    }

    @Test
    void unplannedFencesTheOldRwThenPromotesTheRoThatReplayedMost() {
        afterCreate.add(() -> positions(Map.of(RO1, 900L, RO2, 950L))); // the RW does not answer
        var failover = failover(Map.of("planned", false, "failedInsId", "1002"));
        finish(failover);

        assertSwitchedTo("1006", RO2);
        var order = inOrder(manager);
        order.verify(manager).stop(pod(RW), eq(StopMode.IMMEDIATE), anyInt());
        order.verify(manager).promote(pod(RO2));
        order.verify(manager).createSlot(pod(RO2), eq(ManagerClient.SlotType.REPLICA), eq("1003"), eq("1004"));
        order.verify(manager)
                .follow(
                        pod(RO1),
                        argThat(p -> p.host().equals("127.0.0.3") && p.user().equals("replicator")),
                        eq("1003"),
                        eq("1004"));
        order.verify(manager)
                .removeSlot(pod(RO2), eq(ManagerClient.SlotType.REPLICA), eq("1000"), eq("1004")); // legacy name
        order.verify(manager).createSlot(pod(RO2), eq(ManagerClient.SlotType.REPLICA), eq("1001"), eq("1002"));
        order.verify(manager).rejoin(pod(RW), any(), eq("1001"), eq("1002"));
        order.verify(manager).removeSlot(pod(RO2), eq(ManagerClient.SlotType.REPLICA), eq("1000"), eq("1002"));
        verify(manager, never()).removeSlot(any(), any(), eq("1003"), any()); // the slot in use stays
        verify(manager, never()).checkpoint(any());
        verify(manager, never()).stop(any(), eq(StopMode.FAST), anyInt());
        verify(storage, never()).lockWrite(anyString(), anyString());
        assertThat(variable(failover, "rwVerdict")).isEqualTo("DOWN");
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning FailoverDecision: DOWN for rw 1002")
                        && e.contains("the manager confirms the engine is not running"));
    }

    @Test
    void aRejoinThatOutlastsItsBoundStopsTheFlowUntilTheOldRwAnswersThenThePollGoesOn() {
        var rejoinEnded = new java.util.concurrent.atomic.AtomicBoolean();
        afterCreate.add(() -> org.mockito.Mockito.doAnswer(
                        a -> new ManagerClient.Run(rejoinEnded.get(), false, Map.of("rewound", "false")))
                .when(manager)
                .rejoinInBackground(pod(RW), any(), anyString(), anyString(), anyString()));
        var failover = failover(Map.of("planned", true, "insId", "1004"));
        drive();
        assertThat(org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.jobQuery()
                        .activityId("Timer_RecheckRejoin")
                        .count())
                .isEqualTo(1);
        org.mockito.Mockito.doReturn(new ManagerClient.Health(ManagerClient.HealthState.STOPPED, true, "rewinding"))
                .when(manager)
                .health(pod(RW));
        later(java.time.Duration.ofMinutes(16));
        drive();
        assertThat(exhaust("Task_ReportNotRejoined"))
                .hasMessageContaining("the rejoin (as an RO) of instance 1002")
                .hasMessageContaining("STOPPED");
        assertThat(Conditions.get(resources.cluster.getStatus(), Conditions.AUTO_FAILOVER)
                        .getStatus())
                .as("HA stays paused while the old RW is in doubt")
                .isEqualTo("False");

        rejoinEnded.set(true);
        org.mockito.Mockito.doReturn(new ManagerClient.Health(ManagerClient.HealthState.RUNNING, false, "up"))
                .when(manager)
                .health(pod(RW));
        retry("Task_ReportNotRejoined");
        finish(failover);
        assertSwitchedTo("1004", RO1);
    }

    @Test
    void aStopThatReportsItsShutdownCheckpointSavesTheCallForIt() {
        afterCreate.add(() -> when(manager.stop(pod(RW), eq(StopMode.FAST), anyInt()))
                .thenReturn(new ManagerClient.StopResult(false, false, 150L)));
        var failover = failover(Map.of("planned", true, "insId", "1004"));
        driveTo("Task_CheckCaughtUp");
        positions(Map.of(RO1, 160L, RO2, 950L));
        finish(failover);

        assertSwitchedTo("1004", RO1);
        verify(manager, never()).shutdownCheckpoint(any());
    }

    @Test
    void theRoIsPromotedBySqlWithTheQuorumSetFirstOnTheSameSession() {
        clearInvocations(engineProbe());
        afterCreate.add(() ->
                when(engineProbe().promote(any(), any(), any(), any())).thenReturn(EngineProbe.Promotion.PROMOTED));
        var failover = failover(Map.of("planned", true, "insId", "1004"));
        finish(failover);

        assertSwitchedTo("1004", RO1, 0);
        verify(engineProbe())
                .promote(
                        argThat(e -> e.host().equals("127.0.0.3")),
                        argThat(c -> c.user().equals("aurora")),
                        argThat(q -> q != null && q.startsWith("ANY 1 (")),
                        any());
    }

    @Test
    void anAsyncRoThatSqlCannotReachIsPromotedByItsManager() {
        clearInvocations(engineProbe());
        afterCreate.add(() -> {
            resources.cluster.getSpec().setDataDurability("async");
            doThrow(new EngineProbe.Unreachable("cannot reach 127.0.0.3:5432 to promote it: refused", null))
                    .when(engineProbe())
                    .promote(any(), any(), any(), any());
        });
        var failover = failover(Map.of("planned", true, "insId", "1004"));
        finish(failover);

        assertSwitchedTo("1004", RO1);
        verify(engineProbe()).promote(any(), any(), org.mockito.ArgumentMatchers.isNull(), any());
        verify(manager).promote(pod(RO1));
    }

    @Test
    void anAsyncPromotionThatFailedAfterReachingTheEngineIsRetriedNotHandedToTheManager() {
        afterCreate.add(() -> {
            resources.cluster.getSpec().setDataDurability("async");
            doThrow(new IllegalStateException("127.0.0.3:5432 was told to promote but did not leave recovery"))
                    .when(engineProbe())
                    .promote(any(), any(), any(), any());
        });
        failover(Map.of("planned", true, "insId", "1004"));
        driveTo("Task_Promote");

        assertThat(exhaust("Task_Promote")).hasMessageContaining("did not leave recovery");
        verify(manager, never()).promote(any());
    }

    @Test
    void aRequiredRoWhoseQuorumCannotBeSetIsNotPromoted() {
        afterCreate.add(
                () -> doThrow(new EngineProbe.Unreachable("cannot reach 127.0.0.3:5432 to promote it: refused", null))
                        .when(engineProbe())
                        .promote(any(), any(), any(), any()));
        failover(Map.of("planned", true, "insId", "1004"));
        driveTo("Task_Promote");

        assertThat(exhaust("Task_Promote")).hasMessageContaining("cannot reach 127.0.0.3:5432 to promote it");
        verify(manager, never()).promote(any());
    }

    @Test
    void plannedSwitchoverStopsTheRwWaitsForTheChosenRoThenPromotesIt() {
        var failover = failover(Map.of("planned", true, "insId", "1004"));
        driveTo("Task_CheckCaughtUp");
        positions(
                Map.of(RO1, 140L, RO2, 950L)); // the RW is stopped; 1004 has not replayed its shutdown checkpoint (150)
        drive();
        assertThat(ended(failover)).as("waits while 1004 is behind").isFalse();
        assertThat(engine.getRuntimeService().getVariable(failover.getId(), "caughtUp"))
                .isEqualTo(false);
        verify(manager, never()).promote(any());

        positions(Map.of(RO1, 160L, RO2, 950L));
        later(java.time.Duration.ofSeconds(1)); // the 0.2 s recheck timer is due
        finish(failover);

        assertSwitchedTo("1004", RO1);
        var order = inOrder(manager);
        order.verify(manager).checkpoint(pod(RW));
        order.verify(manager).stop(pod(RW), eq(StopMode.FAST), anyInt());
        order.verify(manager).shutdownCheckpoint(pod(RW));
        order.verify(manager).promote(pod(RO1));
        verify(manager, never())
                .stop(any(), eq(StopMode.IMMEDIATE), anyInt()); // the stop under the lock already fenced it
        verify(manager).follow(pod(RO2), argThat(p -> p.host().equals("127.0.0.3")), eq("1005"), eq("1006"));
        assertThat(resources.cluster.getMetadata().getAnnotations()).doesNotContainKey("switchRw");
    }

    @Test
    void plannedSwitchoverRefusesAnRoBeyondTheLagLimit() {
        afterCreate.add(() -> positions(Map.of(RW, 100_000_000L, RO1, 900L, RO2, 950L)));
        var failover = failover(Map.of("planned", true));
        drive();
        var task = task(failover);
        assertThat(task.getTaskDefinitionKey()).isEqualTo("Task_DecideNoCandidate");
        assertThat((String) engine.getRuntimeService().getVariable(failover.getId(), "candidateFacts"))
                .contains("1004", "lags 99999100 bytes behind the RW (limit 16777216)");
        verify(manager, never()).stop(any(), any(), anyInt());
    }

    @Test
    void noPromotableReplicaAsksAPersonAndAbortChangesNothing() {
        afterCreate.add(() -> positions(Map.of())); // nothing answers
        var failover = failover(Map.of("planned", false));
        assertThat(drive()).isZero();
        var task = task(failover);
        assertThat(task).as("a decision for a person").isNotNull();
        var form = engine.getFormService().getTaskFormData(task.getId());
        assertThat(form.getFormFields())
                .extracting(f -> f.getId())
                .containsExactly("candidateFacts", "decision", "forcedInsId");
        assertThat(form.getFormFields().get(0).getValue().getValue().toString())
                .contains("ro 1004", "does not answer", "ENGINE_NOT_RUNNING".isEmpty() ? "" : "no server socket");

        engine.getTaskService().complete(task.getId(), Map.of("decision", "abort"));
        drive();
        assertThat(ended(failover)).isTrue();
        verify(manager, never()).stop(any(), any(), anyInt());
        verify(manager, never()).promote(any());
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");
        assertThat(Conditions.get(resources.cluster.getStatus(), Conditions.AUTO_FAILOVER)
                        .getStatus())
                .isEqualTo("True");
    }

    @Test
    void noPromotableReplicaThenRecheckOrPromoteAnyway() {
        afterCreate.add(() -> positions(Map.of()));
        var failover = failover(Map.of("planned", false));
        drive();
        var task = task(failover);
        engine.getTaskService().complete(task.getId(), Map.of("decision", "recheck"));
        drive();
        task = task(failover);
        assertThat(task).as("still nothing promotable: asked again").isNotNull();

        engine.getTaskService().complete(task.getId(), Map.of("decision", "promote", "forcedInsId", "1004"));
        finish(failover);
        assertSwitchedTo("1004", RO1);
    }

    @Test
    void anRwThatAnswersAgainAtTheSecondOpinionEndsTheFlowWithNothingChanged() {
        // the RW answers at 1000 (failover() gives it that position); the operator set SwitchRw when it started the
        // flow
        afterCreate.add(() -> resources.cluster.getStatus().setClusterStatus("SwitchRw"));
        var failover = failover(Map.of("planned", false, "failedInsId", "1002"));
        finish(failover);

        BpmnAwareTests.assertThat(failover).hasPassed("Task_ConfirmRwDown").isEnded();
        BpmnAwareTests.assertThat(failover).hasPassed("EndEvent_RwAnswers").hasNotPassed("Task_ChooseCandidate");
        verify(manager, never()).stop(any(), any(), anyInt());
        verify(manager, never()).promote(any());
        verify(manager, never()).health(any()); // the engine answered over SQL: no exec needed
        var status = resources.cluster.getStatus();
        assertThat(status.getClusterStatus()).isEqualTo("Running");
        assertThat(status.getLeaderInstanceId()).isEqualTo("1002");
        assertThat(Conditions.get(status, Conditions.AUTO_FAILOVER).getStatus())
                .as("HA never paused")
                .isEqualTo("True");
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal FailoverDecision: ANSWERS for rw 1002"))
                .anyMatch(e -> e.startsWith("Normal FailoverNotNeeded: RW 1002 answers"));
        assertThat(variable(failover, "rwEvidence"))
                .contains("the engine answers over SQL again", "node node-a: Ready");
    }

    @Test
    void aStopThatFailsOnAPodThatStillExistsIsNoProofAndTheRecheckGoesOnOnceItStops() {
        afterCreate.add(() -> {
            positions(Map.of(RO1, 900L, RO2, 950L));
            when(manager.stop(pod(RW), eq(StopMode.IMMEDIATE), anyInt()))
                    .thenThrow(new ManagerException("TIMEOUT", "exec timed out", null));
        });
        var failover = failover(Map.of("planned", false));
        assertThat(drive()).as("no proof is no incident: a person is asked").isZero();
        assertThat(task(failover).getTaskDefinitionKey()).isEqualTo("Task_ConfirmOldRwStopped");
        assertThat(variable(failover, "rwVerdict")).isEqualTo("DOWN");
        assertThat(variable(failover, "fenceFacts"))
                .contains("its pod still exists (Running, ready) on node node-a (Ready)", "exec timed out");
        verify(manager, never()).promote(any());
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");

        fixedBehind(); // the manager answers again: its stop is the proof
        later(java.time.Duration.ofSeconds(11));
        finish(failover);
        assertSwitchedTo("1006", RO2);
    }

    /** The RW's node-a stops answering: the RW is unreachable, its stop fails and its pod was force-deleted. */
    ProcessInstance unreachableWithoutProof() {
        afterCreate.add(() -> {
            positions(Map.of(RO1, 900L, RO2, 950L));
            doThrow(new ManagerException("TIMEOUT", "exec timed out", null))
                    .when(manager)
                    .health(pod(RW));
            when(manager.stop(pod(RW), eq(StopMode.IMMEDIATE), anyInt()))
                    .thenThrow(new ManagerException("TIMEOUT", "pod not found", null));
            resources.deletePod("default", RW);
            resources.nodeStates.put("node-a", new ClusterResources.NodeState("node-a", false, false));
        });
        var failover = failover(Map.of("planned", false));
        assertThat(drive()).isZero();
        assertThat(task(failover).getTaskDefinitionKey()).isEqualTo("Task_ConfirmOldRwStopped");
        return failover;
    }

    @Test
    void aGonePodOnANotReadyNodeIsNoProofUntilTheNodeIsMarkedOutOfService() {
        var failover = unreachableWithoutProof();
        assertThat(variable(failover, "rwVerdict")).isEqualTo("UNREACHABLE");
        var form = engine.getFormService().getTaskFormData(task(failover).getId());
        assertThat(form.getFormFields()).extracting(f -> f.getId()).containsExactly("fenceFacts", "oldRwStopped");
        assertThat(form.getFormFields().get(0).getValue().getValue().toString())
                .contains(
                        "its pod is gone, but node node-a is NotReady",
                        "kubectl taint nodes node-a node.kubernetes.io/out-of-service=nodeshutdown:NoExecute",
                        "confirm in Tasklist");
        verify(manager, never()).promote(any());

        later(java.time.Duration.ofSeconds(11)); // a recheck without news: still waiting, said once
        assertThat(drive()).isZero();
        assertThat(task(failover).getTaskDefinitionKey()).isEqualTo("Task_ConfirmOldRwStopped");
        assertThat(resources.events.stream().filter(e -> e.startsWith("Warning FenceUnproven:")))
                .hasSize(1);
        verify(manager, never()).promote(any());

        resources.nodeStates.put("node-a", new ClusterResources.NodeState("node-a", false, true));
        later(java.time.Duration.ofSeconds(11));
        driveTo("Task_RejoinOldRw"); // the pod is gone, so it is rebuilt next (FailoverRebuildProcessTest)
        verify(manager).promote(pod(RO2));
        verify(manager, times(2)).stop(pod(RW), eq(StopMode.IMMEDIATE), anyInt()); // not once it was tainted
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1006");
    }

    @Test
    void anOperatorsConfirmationInTasklistIsProofAndNamesWhoGaveIt() {
        var failover = unreachableWithoutProof();
        var task = task(failover);
        engine.getTaskService().claim(task.getId(), "anna");
        engine.getFormService().submitTaskForm(task.getId(), Map.of("oldRwStopped", true));
        driveTo("Task_RejoinOldRw");

        verify(manager).promote(pod(RO2));
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning FenceConfirmedByOperator: anna confirmed in Tasklist"));
    }

    @Test
    void anOperatorsNoKeepsTheFlowWaitingAndTheNextYesNamesTheSignedInUser() {
        var failover = unreachableWithoutProof();
        engine.getTaskService().complete(task(failover).getId(), Map.of("oldRwStopped", false));
        assertThat(drive()).isZero();
        assertThat(task(failover).getTaskDefinitionKey())
                .as("checked again, still no proof: asked again")
                .isEqualTo("Task_ConfirmOldRwStopped");
        verify(manager, never()).promote(any());

        engine.getIdentityService().setAuthenticatedUserId("ben");
        try {
            engine.getTaskService().complete(task(failover).getId(), Map.of("oldRwStopped", true));
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        driveTo("Task_RejoinOldRw");
        verify(manager).promote(pod(RO2));
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning FenceConfirmedByOperator: ben confirmed in Tasklist"));
    }

    @Test
    void aGoneOldRwPodOnAReadyNodeIsProofEnoughAndItIsRebuiltInsteadOfRejoining() {
        afterCreate.add(() -> {
            positions(Map.of(RO1, 900L, RO2, 950L));
            when(manager.stop(pod(RW), eq(StopMode.IMMEDIATE), anyInt()))
                    .thenThrow(new ManagerException("TIMEOUT", "pod not found", null));
            resources.deletePod("default", RW);
        });
        var failover = failover(Map.of("planned", false));
        driveTo("Task_RejoinOldRw");
        verify(manager).promote(pod(RO2));
        assertThat(variable(failover, "rwEvidence")).contains("UNREACHABLE", "pod: gone");
        engine.getManagementService()
                .executeJob(engine.getManagementService()
                        .createJobQuery()
                        .activityId("Task_RejoinOldRw")
                        .singleResult()
                        .getId());
        assertThat(engine.getManagementService()
                        .createJobQuery()
                        .activityId("Task_RebuildOldRw")
                        .count())
                .as("on to RebuildInstance (FailoverRebuildProcessTest runs it)")
                .isEqualTo(1);
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning RejoinFailed:") && e.contains("its pod is gone"));
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1006");
        BpmnAwareTests.assertThat(failover).hasNotPassed("Task_ConfirmOldRwStopped");
    }

    /** A variable of {@code failover} as it stands (or stood at its end). */
    static String variable(ProcessInstance failover, String name) {
        return (String) engine.getHistoryService()
                .createHistoricVariableInstanceQuery()
                .processInstanceId(failover.getId())
                .variableName(name)
                .singleResult()
                .getValue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_Checkpoint",
                "Task_StopOldRw",
                "Task_CheckCaughtUp",
                "Task_Promote",
                "Task_RepointRos",
                "Task_RejoinOldRw"
            })
    void anIncidentAtEachExternalStepResumesWhereItStopped(String step) {
        Map<String, Consumer<RuntimeException>> breakers = Map.of(
                "Task_Checkpoint",
                        e -> org.mockito.Mockito.doThrow(e).when(manager).checkpoint(any()),
                "Task_StopOldRw",
                        e -> when(manager.stop(any(), eq(StopMode.FAST), anyInt()))
                                .thenThrow(e),
                "Task_CheckCaughtUp",
                        e -> when(manager.shutdownCheckpoint(any())).thenThrow(e),
                "Task_Promote", e -> when(manager.promote(any())).thenThrow(e),
                "Task_RepointRos",
                        e -> when(manager.follow(any(), any(), anyString(), anyString()))
                                .thenThrow(e),
                "Task_RejoinOldRw",
                        e -> when(manager.rejoin(any(), any(), anyString(), anyString()))
                                .thenThrow(e));
        afterCreate.add(
                () -> breakers.get(step).accept(new ManagerException("TIMEOUT", "the agent did not answer", null)));
        var failover = failover(Map.of("planned", true, "insId", "1004"));
        driveTo(step);
        Throwable failure = exhaust(step);
        assertThat(failure).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");

        fixedBehind();
        retry(step);
        finish(failover);
        boolean promotedBefore = step.equals("Task_RepointRos") || step.equals("Task_RejoinOldRw");
        assertSwitchedTo("1004", RO1, promotedBefore ? 0 : 1); // a resumed flow never promotes twice
    }
}
