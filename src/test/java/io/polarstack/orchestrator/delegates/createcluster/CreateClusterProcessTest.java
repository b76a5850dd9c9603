package io.polarstack.orchestrator.delegates.createcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.jobQuery;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.testing.FaultyClusterResources;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** CreateCluster with CreateInstance, and DeleteCluster, on an in-memory engine with the ports mocked. */
@Deployment(
        resources = {"processes/create-cluster.bpmn", "processes/create-instance.bpmn", "processes/delete-cluster.bpmn"
        })
class CreateClusterProcessTest extends FlowHarness {

    @Test
    void aLongInstallIsPolledByATimerLoopUnderOneRunIdAndARetryAfterItsIncidentStartsANewRun() {
        List<String> runIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        doAnswer(a -> {
                    runIds.add(a.getArgument(2));
                    int n = calls.incrementAndGet();
                    if (n <= 2) {
                        return new ManagerClient.Run(false, n == 1, Map.of()); // started, then still running
                    }
                    if (n <= 5) { // the run failed: every poll of it says so, until the step's retries are used up
                        throw new ManagerClient.ManagerException("COMMAND_FAILED", "base backup failed", null);
                    }
                    return new ManagerClient.Run(true, true, Map.of());
                })
                .when(manager)
                .installInBackground(pod(RW), any(), anyString());
        var instance = start("CreateCluster", Map.of());
        drive();
        assertThat(calls).hasValue(1);
        assertThat(jobQuery().activityId("Timer_RecheckInstall").count())
                .as("waiting in the timer loop, no step holding a job")
                .isEqualTo(1);
        later(java.time.Duration.ofSeconds(4));
        drive();
        assertThat(calls).hasValue(2);
        later(java.time.Duration.ofSeconds(4));
        drive();
        assertThat(exhaust("Task_InstallInstance")).hasMessageContaining("base backup failed");
        assertThat(incident().getActivityId()).isEqualTo("Task_InstallInstance");
        assertThat(calls).hasValue(5);
        assertThat(runIds.subList(0, 5)).as("one run, polled").containsOnly(runIds.get(0));
        retry("Task_InstallInstance");
        assertThat(runIds.get(5))
                .as("the retry after the incident starts a new run")
                .isNotEqualTo(runIds.get(0));
        finish(instance);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void localClusterComesUpRwFirstThenAccountsThenEachRo() {
        // the local sample: followerNum 2
        var instance = start("CreateCluster", Map.of());
        finish(instance);

        var status = resources.cluster.getStatus();
        assertThat(status.getClusterStatus()).isEqualTo("Running");
        assertThat(status.getLogicId()).isEqualTo("1000");
        assertThat(status.getLeaderInstanceId()).isEqualTo("1002");
        assertThat(status.getDbInstanceStatus()).containsOnlyKeys("1002", "1004", "1006");
        assertThat(status.getDbInstanceStatus().values()).allSatisfy(i -> {
            assertThat(i.getInstalled()).isTrue();
            assertThat(i.getCurrentState().getState()).isEqualTo("RUNNING");
        });
        assertThat(resources.appliedOf(Pod.class))
                .extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("pg-local-1001-1002", "pg-local-1003-1004", "pg-local-1005-1006");
        assertThat(resources.appliedOf(Secret.class))
                .extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("pg-local-1000-aurora", "pg-local-1000-replicator");
        assertThat(resources.appliedOf(Service.class)).hasSize(2);
        assertThat(status.getFlow()).as("cleared at the end").isNull();
        assertThat(io.polarstack.orchestrator.api.Conditions.get(
                        status, io.polarstack.orchestrator.api.Conditions.AUTO_FAILOVER))
                .as("HA on once the cluster is complete")
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getReason()).isEqualTo("Enabled");
                });

        var specs = ArgumentCaptor.forClass(InstallSpec.class);
        var targets = ArgumentCaptor.forClass(ManagerClient.Target.class);
        verify(manager, times(3)).install(targets.capture(), specs.capture());
        assertThat(targets.getAllValues())
                .extracting(ManagerClient.Target::pod)
                .containsExactly("pg-local-1001-1002", "pg-local-1003-1004", "pg-local-1005-1006");
        assertThat(specs.getAllValues().get(0).role()).isEqualTo(ManagerClient.InstanceRole.RW);
        assertThat(specs.getAllValues().get(0).params()).containsEntry("max_connections", "800");
        var ro = specs.getAllValues().get(1);
        assertThat(ro.role()).isEqualTo(ManagerClient.InstanceRole.RO);
        assertThat(ro.primary().host()).isEqualTo("127.0.0.2");
        assertThat(ro.primary().user()).isEqualTo("replicator");
        assertThat(ro.custinsId() + "/" + ro.slotUniqueName())
                .as("the slot the RO streams through")
                .isEqualTo("1003/1004");
        verify(manager).createSlot(any(), eq(ManagerClient.SlotType.REPLICA), eq("1003"), eq("1004"));
        verify(manager).createAccount(any(), eq("aurora"), anyString(), eq(7));
        verify(manager).createAccount(any(), eq("replicator"), anyString(), eq(15));
        verify(storage, never()).resolve(anyString());
        verify(storage, never()).lockWrite(anyString(), anyString());
    }

    @Test
    void shareClusterResolvesTheLunAndLocksItForTheRwNode() {
        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        start("CreateCluster", Map.of());
        assertThat(drive()).isZero();
        verify(storage).resolve("36e00084100ee7ec9e7d6b6d3f0d5e0a1");
        verify(storage, times(1)).lockWrite("36e00084100ee7ec9e7d6b6d3f0d5e0a1", "node-a");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void missingCatalogEntryStopsAtInitMetaAndARetryAfterTheFixGoesOn() {
        resources.cluster.getSpec().getVersionCfg().setVersionName("image-next");
        var instance = start("CreateCluster", Map.of());
        var failure = exhaust("Task_InitMeta");
        assertThat(failure).hasMessageContaining("postgresql-1-0-minor-version-info-rwo-image-next");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(resources.cluster.getMetadata().getAnnotations())
                .containsEntry("interrupt.recover", "F")
                .containsKey("interrupt.message");
        assertThat(resources.cluster.getStatus().getFlow().getStep()).isEqualTo("Task_InitMeta");
        assertThat(resources.appliedOf(Pod.class)).isEmpty();

        resources.configMaps.put(
                "ConfigMap:kube-system/postgresql-1-0-minor-version-info-rwo-image-next",
                Map.of("pgEngineImage", "e:2", "pgManagerImage", "m:2"));
        retry("Task_InitMeta");
        finish(instance);
        assertThat(resources.appliedOf(Pod.class))
                .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage())
                        .isEqualTo("e:2"));
    }

    @Test
    void storageThatIsNotEverywhereStopsAtPrepareStorage() {
        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        when(storage.resolve(anyString()))
                .thenThrow(new IllegalStateException("node-b: no multipath device for the WWID"));
        var instance = start("CreateCluster", Map.of());
        drive();
        assertThat(exhaust("Task_PrepareStorage")).hasMessageContaining("node-b");
        reset(storage);
        healthy();
        retry("Task_PrepareStorage");
        drive();
        assertThat(ended(instance)).isTrue();
    }

    @Test
    void failedInstallStopsInsideCreateInstanceAndResumesThere() {
        when(manager.install(any(), any()))
                .thenThrow(new ManagerClient.ManagerException("ENGINE_NOT_RUNNING", "initdb failed", null));
        var instance = start("CreateCluster", Map.of());
        drive();
        assertThat(exhaust("Task_InstallInstance")).hasMessageContaining("initdb failed");
        assertThat(resources.cluster.getStatus().getFlow().getStep()).isEqualTo("Task_InstallInstance");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Warning StepFailed: Task_InstallInstance"));
        fixed();
        retry("Task_InstallInstance");
        drive();
        assertThat(ended(instance)).isTrue();
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void aPodThatNeverBecomesReadyIsReportedAfterTheWaitAndResumedOnceReady() {
        resources.podsReady = false;
        var instance = start("CreateCluster", Map.of());
        drive();
        var recheck = engine.getManagementService()
                .createJobQuery()
                .activityId("Timer_RecheckPod")
                .singleResult();
        assertThat(recheck).as("the wait loops on its timer").isNotNull();
        engine.getManagementService().executeJob(recheck.getId()); // one more look: still not Ready
        drive();
        Job timeout = engine.getManagementService().createJobQuery().timers().list().stream()
                .filter(j -> "Timer_PodReadyTimeout"
                        .equals(engine.getManagementService()
                                .createJobDefinitionQuery()
                                .jobDefinitionId(j.getJobDefinitionId())
                                .singleResult()
                                .getActivityId()))
                .findFirst()
                .orElseThrow();
        engine.getManagementService().executeJob(timeout.getId());
        drive();
        assertThat(exhaust("Task_ReportPodNotReady"))
                .hasMessageContaining("pg-local-1001-1002")
                .hasMessageContaining("Pending");
        resources.podsReady = true;
        retry("Task_ReportPodNotReady");
        drive();
        assertThat(ended(instance)).isTrue();
    }

    @Test
    void deleteStopsEveryEngineReleasesStorageAndRemovesTheFinalizer() {
        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        start("CreateCluster", Map.of());
        drive();
        resources.finalizer("default", "polardb-share", true);
        var delete = start("DeleteCluster", Map.of());
        finish(delete);
        verify(manager, times(2)).stop(any(), eq(ManagerClient.StopMode.FAST), anyInt());
        verify(storage).clear("36e00084100ee7ec9e7d6b6d3f0d5e0a1", "node-a");
        assertThat(resources.cluster.getMetadata().getFinalizers()).isEmpty();
    }

    @Test
    void deleteStopsOneEngineAtATimeInTheBackgroundAndABoundStopsTheFlowBeforeTheStorageIsReleased() {
        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        start("CreateCluster", Map.of());
        drive();
        resources.finalizer("default", "polardb-share", true);
        var status = resources.cluster.getStatus();
        String rw =
                status.getDbInstanceStatus().get(status.getLeaderInstanceId()).getPodName();
        String ro = status.getDbInstanceStatus().values().stream()
                .map(i -> i.getPodName())
                .filter(p -> !p.equals(rw))
                .findFirst()
                .orElseThrow();
        List<String> roRuns = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> rwRuns = new java.util.concurrent.CopyOnWriteArrayList<>();
        doAnswer(a -> {
                    roRuns.add(a.getArgument(3));
                    if (roRuns.size() == 1) {
                        return new ManagerClient.Run(false, true, Map.of());
                    }
                    // the manager container went away meanwhile: nothing left to stop
                    throw new ManagerClient.ManagerException("CONTAINER_NOT_READY", "container not ready", null);
                })
                .when(manager)
                .stopInBackground(pod(ro), any(), anyInt(), anyString());
        doAnswer(a -> {
                    rwRuns.add(a.getArgument(3));
                    return new ManagerClient.Run(false, rwRuns.size() == 1, Map.of()); // never ends
                })
                .when(manager)
                .stopInBackground(pod(rw), any(), anyInt(), anyString());
        org.mockito.Mockito.doReturn(new ManagerClient.Health(ManagerClient.HealthState.RUNNING, false, "up"))
                .when(manager)
                .health(pod(rw));

        var delete = start("DeleteCluster", Map.of());
        drive();
        assertThat(roRuns).hasSize(1);
        assertThat(rwRuns).as("the RW waits for the RO's stop").isEmpty();
        assertThat(jobQuery().activityId("Timer_RecheckStop").count()).isEqualTo(1);
        later(java.time.Duration.ofSeconds(4));
        drive();
        assertThat(roRuns).hasSize(2).containsOnly(roRuns.get(0));
        assertThat(rwRuns).as("the RO counts as stopped, the RW's stop starts").hasSize(1);
        assertThat(rwRuns.get(0)).isNotEqualTo(roRuns.get(0));
        later(java.time.Duration.ofSeconds(4));
        drive();
        assertThat(rwRuns).hasSize(2).containsOnly(rwRuns.get(0));

        later(java.time.Duration.ofMinutes(16));
        drive();
        assertThat(exhaust("Task_ReportNotStopped"))
                .hasMessageContaining("engines not stopped in time")
                .hasMessageContaining(rw)
                .hasMessageNotContaining(ro);
        verify(storage, never()).clear(anyString(), anyString());
        assertThat(resources.cluster.getMetadata().getFinalizers()).isNotEmpty();

        org.mockito.Mockito.doReturn(new ManagerClient.Health(ManagerClient.HealthState.STOPPED, true, "stopped"))
                .when(manager)
                .health(pod(rw));
        retry("Task_ReportNotStopped");
        finish(delete);
        verify(storage).clear("36e00084100ee7ec9e7d6b6d3f0d5e0a1", "node-a");
        assertThat(resources.cluster.getMetadata().getFinalizers()).isEmpty();
        verify(manager, never()).stop(any(), any(), anyInt());
    }

    @Test
    void perNodePortsByDefaultAndDistinctPortsInASharedPortSpace() {
        start("CreateCluster", Map.of());
        drive();
        assertThat(resources.cluster.getStatus().getDbInstanceStatus().values())
                .extracting(i -> i.getNetInfo().getWorkingPort())
                .containsOnly(5432);

        resources = new FaultyClusterResources("mpdcluster-local.yaml");
        sharedPortSpace();
        var other = new io.polarstack.orchestrator.api.MPDCluster();
        other.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("other")
                .withUid("other")
                .build());
        other.setStatus(new io.polarstack.orchestrator.api.MPDClusterStatus());
        var taken = new io.polarstack.orchestrator.api.InstanceStatus();
        taken.setNetInfo(new io.polarstack.orchestrator.api.InstanceNetwork());
        taken.getNetInfo().setWorkingPort(5433);
        other.getStatus().setDbInstanceStatus(Map.of("9", taken));
        resources.others.add(other);
        start("CreateCluster", Map.of());
        assertThat(drive()).isZero();
        assertThat(resources.cluster.getStatus().getDbInstanceStatus().values())
                .extracting(i -> i.getNetInfo().getWorkingPort())
                .containsExactlyInAnyOrder(5432, 5434, 5435);
        assertThat(resources.appliedOf(Pod.class))
                .extracting(p ->
                        p.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort())
                .containsExactlyInAnyOrder(5432, 5434, 5435);
    }

    @Test
    void runningTheCreateTwiceReservesIdsOnceAndKeepsPasswords() {
        start("CreateCluster", Map.of());
        drive();
        String password = new String(resources
                .secretData("default", "pg-local-1000-aurora")
                .orElseThrow()
                .get("Password"));
        resources.cluster.getStatus().getDbInstanceStatus().values().forEach(i -> i.setInstalled(false));
        start("CreateCluster", Map.of());
        assertThat(drive()).isZero();
        assertThat(resources.cluster.getStatus().getLogicId()).isEqualTo("1000");
        assertThat(resources.cluster.getStatus().getDbInstanceStatus()).hasSize(3);
        assertThat(new String(resources
                        .secretData("default", "pg-local-1000-aurora")
                        .orElseThrow()
                        .get("Password")))
                .isEqualTo(password);
        assertThatThrownBy(() -> resources.secretData("default", "absent").orElseThrow())
                .isInstanceOf(RuntimeException.class);
    }
}
