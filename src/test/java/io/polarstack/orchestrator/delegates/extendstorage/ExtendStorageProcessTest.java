package io.polarstack.orchestrator.delegates.extendstorage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.LocalStore;
import io.polarstack.orchestrator.api.ShareStore;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.ports.StorageFabricException;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ExtendStorage on an in-memory engine, the ports mocked, on a cluster CreateCluster made first (RW 1002, ROs 1004
 * and 1006 on node-a). Share mode turns the sample into one on a LUN before CreateCluster runs.
 */
@Deployment(
        resources = {"processes/extend-storage.bpmn", "processes/create-cluster.bpmn", "processes/create-instance.bpmn"
        })
class ExtendStorageProcessTest extends FlowHarness {

    static final String WWID = "36e00084100ee7ec9e7d6b6d3f0d5e0a1";
    static final long GIB = 1L << 30;

    void shareCluster() {
        var spec = resources.cluster.getSpec();
        spec.setDbClusterType("share");
        spec.setLocalStore(null);
        var store = new ShareStore();
        store.setDrive("pvc");
        store.setSharePvcName("pvc-" + WWID);
        store.setVolumeId(WWID);
        store.setDiskQuota("20480");
        spec.setShareStore(store);
    }

    void arrayAt(long bytes) {
        doReturn(List.of(
                        new StorageFabric.HostResult<>("node-a", lun(bytes), null),
                        new StorageFabric.HostResult<>("node-b", lun(bytes), null)))
                .when(storage)
                .resize(WWID);
        doAnswer(a -> new StorageFabric.PfsInfo(WWID, a.getArgument(2), 0, 0))
                .when(storage)
                .growPfs(anyString(), anyString(), anyInt());
        enginesGrow();
    }

    static void enginesGrow() {
        doReturn(new ManagerClient.StorageInfo(true, null, null)).when(manager).growStorage(any(), anyString());
    }

    static StorageFabric.Lun lun(long bytes) {
        return new StorageFabric.Lun(WWID, "/dev/mapper/" + WWID, bytes, "SIM", "LUN", List.of());
    }

    ProcessInstance extendShare(String diskQuotaMb) {
        shareCluster();
        runningCluster();
        enginesGrow(); // runningCluster starts the manager afresh
        resources.cluster.getStatus().setStorageQuota("20480");
        resources.cluster.getSpec().getShareStore().setDiskQuota(diskQuotaMb);
        annotate("extendStorage", "true");
        return start("ExtendStorage", Map.of());
    }

    void assertShareGrownTo30Gib() {
        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("30720");
        assertThat(annotations()).doesNotContainKey("extendStorage");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal StorageExtended: storage quota 30720"));
    }

    @Test
    void shareModeResizesEveryHostThenGrowsPfsOnceThenEachEngineRosFirst() {
        arrayAt(30 * GIB);
        finish(extendShare("30720"));

        assertShareGrownTo30Gib();
        var order = inOrder(storage, manager);
        order.verify(storage).resize(WWID);
        order.verify(storage).growPfs(WWID, "node-a", 3);
        order.verify(manager).growStorage(pod(RO1), eq(WWID));
        order.verify(manager).growStorage(pod(RO2), eq(WWID));
        order.verify(manager).growStorage(pod(RW), eq(WWID));
        verify(storage).growPfs(anyString(), anyString(), anyInt());
    }

    @Test
    void aLunTheArrayDidNotGrowStopsBeforePfs() {
        arrayAt(20 * GIB);
        extendShare("30720");
        driveTo("Task_ResizeLun");
        assertThat(exhaust("Task_ResizeLun"))
                .hasMessageContaining("LUN " + WWID + " is " + 20 * GIB + " bytes on node-a")
                .hasMessageContaining("grow the LUN on the array first");
        verify(storage, never()).growPfs(anyString(), anyString(), anyInt());
        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("20480");
    }

    @Test
    void shrinkingIsRefusedNamingTheClusterAndSizesWithNothingChanged() {
        arrayAt(30 * GIB);
        finish(extendShare("10240"));

        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("STORAGE_SHRINK_REFUSED");
        assertThat(condition.getMessage())
                .contains("cluster default/pg-local", "10240 (" + 10 * GIB + " bytes)", "current quota 20480");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Warning STORAGE_SHRINK_REFUSED"));
        assertThat(annotations()).doesNotContainKey("extendStorage");
        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("20480");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        verify(storage, never()).resize(anyString());
        verify(manager, never()).growStorage(any(), anyString());
    }

    @Test
    void localModeResizesEachDataClaimAndRecordsTheQuota() {
        resources.cluster.getSpec().getLocalStore().setStorageClassName("expandable");
        runningCluster();
        resources.cluster.getSpec().getLocalStore().setSize("20Gi");
        annotate("extendStorage", "true");
        finish(start("ExtendStorage", Map.of()));

        assertThat(resources.appliedOf(PersistentVolumeClaim.class))
                .hasSize(3)
                .allSatisfy(c -> assertThat(c.getSpec()
                                .getResources()
                                .getRequests()
                                .get("storage")
                                .toString())
                        .isEqualTo("20Gi"));
        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("20Gi");
        assertThat(annotations()).doesNotContainKey("extendStorage");
        verify(storage, never()).resize(anyString());
        verify(manager, never()).growStorage(any(), anyString());
    }

    @Test
    void localModeWithoutStorageClassRecordsTheQuotaOnly() {
        runningCluster();
        var store = new LocalStore();
        store.setSize("15Gi");
        resources.cluster.getSpec().setLocalStore(store);
        annotate("extendStorage", "true");
        finish(start("ExtendStorage", Map.of()));

        assertThat(resources.appliedOf(PersistentVolumeClaim.class)).isEmpty();
        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("15Gi");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_ResizeLun",
                "Task_GrowPfs",
                "Task_GrowEngineStorage",
                "Task_RecordStorage",
                "Task_UpdateRunningStatus"
            })
    void anIncidentAtEachExternalStepResumesWhereItStopped(String step) {
        arrayAt(30 * GIB);
        Map<String, Runnable> breakers = Map.of(
                "Task_ResizeLun",
                        () -> when(storage.resize(WWID))
                                .thenThrow(new StorageFabricException("`multipathd resize map` on node-b timed out")),
                "Task_GrowPfs",
                        () -> when(storage.growPfs(anyString(), anyString(), anyInt()))
                                .thenThrow(new StorageFabricException("pfs growfs on node-a exited with 1")),
                "Task_GrowEngineStorage",
                        () -> doThrow(new ManagerException("TIMEOUT", "the RW's agent did not answer", null))
                                .when(manager)
                                .growStorage(any(), eq(WWID)), // the first, an RO, holds the incident
                "Task_RecordStorage", () -> failCall("updateStatus"),
                "Task_UpdateRunningStatus", () -> failCall("updateStatus"));
        var extend = extendShare("30720");
        driveTo(step);
        breakers.get(step).run();
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);

        resources.onCall = call -> {};
        fixed();
        arrayAt(30 * GIB);
        retry(step);
        finish(extend);
        assertShareGrownTo30Gib();
    }
}
