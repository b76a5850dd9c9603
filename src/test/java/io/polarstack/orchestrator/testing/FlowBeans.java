package io.polarstack.orchestrator.testing;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.polarstack.orchestrator.delegates.addro.AllocateRoDelegate;
import io.polarstack.orchestrator.delegates.deletecluster.ReleaseStorageDelegate;
import io.polarstack.orchestrator.delegates.deletecluster.RemoveFinalizerDelegate;
import io.polarstack.orchestrator.delegates.deletecluster.StopInstancesDelegate;
import io.polarstack.orchestrator.delegates.migrateinstance.FinishMigrationDelegate;
import io.polarstack.orchestrator.delegates.migrateinstance.RejectMigrationDelegate;
import io.polarstack.orchestrator.delegates.removero.CheckRemoveRoDelegate;
import io.polarstack.orchestrator.delegates.removero.FinishRemovalDelegate;
import io.polarstack.orchestrator.delegates.removero.RejectRemovalDelegate;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.delegates.createcluster.CreateAccountsDelegate;
import io.polarstack.orchestrator.delegates.common.EnableHaDelegate;
import io.polarstack.orchestrator.delegates.createcluster.InitMetaDelegate;
import io.polarstack.orchestrator.delegates.createcluster.PrepareStorageDelegate;
import io.polarstack.orchestrator.delegates.common.UpdateRunningStatusDelegate;
import io.polarstack.orchestrator.delegates.createinstance.CheckInstanceHealthDelegate;
import io.polarstack.orchestrator.delegates.createinstance.CheckInstancePodDelegate;
import io.polarstack.orchestrator.delegates.createinstance.CreateInstancePodDelegate;
import io.polarstack.orchestrator.delegates.createinstance.InstallInstanceDelegate;
import io.polarstack.orchestrator.delegates.createinstance.LockStorageDelegate;
import io.polarstack.orchestrator.delegates.createinstance.MarkInstanceReadyDelegate;
import io.polarstack.orchestrator.delegates.createinstance.ReportNotHealthyDelegate;
import io.polarstack.orchestrator.delegates.createinstance.ReportPodNotReadyDelegate;
import io.polarstack.orchestrator.delegates.failover.CheckCaughtUpDelegate;
import io.polarstack.orchestrator.delegates.failover.CheckpointDelegate;
import io.polarstack.orchestrator.delegates.failover.ChooseCandidateDelegate;
import io.polarstack.orchestrator.delegates.failover.FenceOldRwDelegate;
import io.polarstack.orchestrator.delegates.failover.MoveRwRoleDelegate;
import io.polarstack.orchestrator.delegates.failover.PauseHaDelegate;
import io.polarstack.orchestrator.delegates.failover.PromoteDelegate;
import io.polarstack.orchestrator.delegates.failover.RejoinOldRwDelegate;
import io.polarstack.orchestrator.delegates.failover.RepointRosDelegate;
import io.polarstack.orchestrator.delegates.failover.ReportNotCaughtUpDelegate;
import io.polarstack.orchestrator.delegates.failover.ResumeHaDelegate;
import io.polarstack.orchestrator.delegates.failover.StopOldRwDelegate;
import io.polarstack.orchestrator.delegates.modifyclass.ApplyClassParamsDelegate;
import io.polarstack.orchestrator.delegates.modifyclass.FinishClassChangeDelegate;
import io.polarstack.orchestrator.delegates.modifyclass.LowerRwLimitsDelegate;
import io.polarstack.orchestrator.delegates.modifyclass.PlanClassChangeDelegate;
import io.polarstack.orchestrator.delegates.rebuildcluster.CheckPodsGoneDelegate;
import io.polarstack.orchestrator.delegates.rebuildcluster.DisableHaDelegate;
import io.polarstack.orchestrator.delegates.rebuildcluster.FinishRebuildDelegate;
import io.polarstack.orchestrator.delegates.rebuildcluster.PlanRebuildDelegate;
import io.polarstack.orchestrator.delegates.rebuildcluster.RemoveInstancePodsDelegate;
import io.polarstack.orchestrator.delegates.rebuildcluster.ReportPodsNotGoneDelegate;
import io.polarstack.orchestrator.delegates.removeinstance.DeleteInstancePodDelegate;
import io.polarstack.orchestrator.delegates.removeinstance.DropSlotDelegate;
import io.polarstack.orchestrator.delegates.removeinstance.RemoveInstanceEntryDelegate;
import io.polarstack.orchestrator.delegates.removeinstance.StopInstanceDelegate;
import io.polarstack.orchestrator.delegates.replaceinstance.AllocateInstanceDelegate;
import io.polarstack.orchestrator.delegates.common.CheckReplicaCaughtUpDelegate;
import io.polarstack.orchestrator.delegates.common.JoinTopologyDelegate;
import io.polarstack.orchestrator.delegates.common.ReportReplicaBehindDelegate;
import io.polarstack.orchestrator.delegates.upgrademinorversion.FinishUpgradeDelegate;
import io.polarstack.orchestrator.delegates.upgrademinorversion.PlanUpgradeDelegate;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.ClusterStatusWriter;

/**
 * For the *ProcessTests of the flows built on CreateCluster, ReplaceInstance and Failover: every delegate bean they
 * reach, on the given ports, as Spring would wire them; and a manager that answers like a healthy cluster.
 */
public final class FlowBeans {

    static final long MAX_LAG = 16 * 1024 * 1024;

    private FlowBeans() {
    }

    public static Map<String, Object> all(RecordingClusterResources resources, ManagerClient manager, StorageFabric storage) {
        return all(resources, manager, storage, false);
    }

    /** {@code sharedPortSpace}: the operator setting that gives every instance of every cluster a port of its own. */
    public static Map<String, Object> all(RecordingClusterResources resources, ManagerClient manager, StorageFabric storage,
            boolean sharedPortSpace) {
        var properties = new OrchestratorProperties(Map.of(), null, null, null,
                new OrchestratorProperties.Operator(true, null, null, null, "test", null, null, sharedPortSpace));
        var catalog = new ClusterCatalog(resources, properties);
        var status = new ClusterStatusWriter(resources);
        Map<String, Object> beans = new HashMap<>(Map.ofEntries(
                Map.entry("ids", new IdList()),
                Map.entry("initMetaDelegate", new InitMetaDelegate(resources, status, catalog, properties)),
                Map.entry("prepareStorageDelegate", new PrepareStorageDelegate(resources, storage)),
                Map.entry("createAccountsDelegate", new CreateAccountsDelegate(resources, manager)),
                Map.entry("enableHaDelegate", new EnableHaDelegate(resources, status)),
                Map.entry("updateRunningStatusDelegate", new UpdateRunningStatusDelegate(resources, status)),
                Map.entry("createInstancePodDelegate", new CreateInstancePodDelegate(resources, catalog, "/srv/polarstack")),
                Map.entry("checkInstancePodDelegate", new CheckInstancePodDelegate(resources)),
                Map.entry("reportPodNotReadyDelegate", new ReportPodNotReadyDelegate(resources)),
                Map.entry("lockStorageDelegate", new LockStorageDelegate(resources, storage)),
                Map.entry("installInstanceDelegate", new InstallInstanceDelegate(resources, manager)),
                Map.entry("checkInstanceHealthDelegate", new CheckInstanceHealthDelegate(resources, manager)),
                Map.entry("reportNotHealthyDelegate", new ReportNotHealthyDelegate(resources, manager)),
                Map.entry("markInstanceReadyDelegate", new MarkInstanceReadyDelegate(resources, status))));
        beans.putAll(Map.ofEntries(
                Map.entry("chooseCandidateDelegate", new ChooseCandidateDelegate(resources, ManagerWalPositions.of(manager), MAX_LAG)),
                Map.entry("pauseHaDelegate", new PauseHaDelegate(resources, status)),
                Map.entry("checkpointDelegate", new CheckpointDelegate(resources, manager)),
                Map.entry("stopOldRwDelegate", new StopOldRwDelegate(resources, manager)),
                Map.entry("checkCaughtUpDelegate", new CheckCaughtUpDelegate(resources, manager, ManagerWalPositions.of(manager))),
                Map.entry("reportNotCaughtUpDelegate", new ReportNotCaughtUpDelegate(resources, manager, ManagerWalPositions.of(manager))),
                Map.entry("fenceOldRwDelegate", new FenceOldRwDelegate(resources, manager, storage)),
                Map.entry("promoteDelegate", new PromoteDelegate(resources, manager)),
                Map.entry("moveRwRoleDelegate", new MoveRwRoleDelegate(resources, status)),
                Map.entry("repointRosDelegate", new RepointRosDelegate(resources, manager)),
                Map.entry("rejoinOldRwDelegate", new RejoinOldRwDelegate(resources, status, manager)),
                Map.entry("resumeHaDelegate", new ResumeHaDelegate(resources, status))));
        beans.putAll(Map.ofEntries(
                Map.entry("allocateInstanceDelegate", new AllocateInstanceDelegate(resources, status, catalog, properties)),
                Map.entry("checkReplicaCaughtUpDelegate", new CheckReplicaCaughtUpDelegate(resources, manager, MAX_LAG)),
                Map.entry("reportReplicaBehindDelegate", new ReportReplicaBehindDelegate(resources, manager, MAX_LAG)),
                Map.entry("joinTopologyDelegate", new JoinTopologyDelegate(resources, status)),
                Map.entry("stopInstanceDelegate", new StopInstanceDelegate(resources, manager)),
                Map.entry("dropSlotDelegate", new DropSlotDelegate(resources, manager)),
                Map.entry("deleteInstancePodDelegate", new DeleteInstancePodDelegate(resources)),
                Map.entry("removeInstanceEntryDelegate", new RemoveInstanceEntryDelegate(resources, status))));
        beans.putAll(Map.ofEntries(
                Map.entry("planUpgradeDelegate", new PlanUpgradeDelegate(resources, catalog)),
                Map.entry("finishUpgradeDelegate", new FinishUpgradeDelegate(resources)),
                Map.entry("planClassChangeDelegate", new PlanClassChangeDelegate(resources, catalog)),
                Map.entry("lowerRwLimitsDelegate", new LowerRwLimitsDelegate(resources, catalog, manager)),
                Map.entry("applyClassParamsDelegate", new ApplyClassParamsDelegate(resources, catalog)),
                Map.entry("finishClassChangeDelegate", new FinishClassChangeDelegate(resources)),
                Map.entry("disableHaDelegate", new DisableHaDelegate(resources, status)),
                Map.entry("removeInstancePodsDelegate", new RemoveInstancePodsDelegate(resources, manager)),
                Map.entry("checkPodsGoneDelegate", new CheckPodsGoneDelegate(resources)),
                Map.entry("reportPodsNotGoneDelegate", new ReportPodsNotGoneDelegate(resources)),
                Map.entry("planRebuildDelegate", new PlanRebuildDelegate(resources, status, catalog)),
                Map.entry("finishRebuildDelegate", new FinishRebuildDelegate(resources))));
        beans.putAll(Map.ofEntries(
                Map.entry("rejectMigrationDelegate", new RejectMigrationDelegate(resources, status)),
                Map.entry("finishMigrationDelegate", new FinishMigrationDelegate(resources)),
                Map.entry("allocateRoDelegate", new AllocateRoDelegate(resources, status, catalog, properties)),
                Map.entry("checkRemoveRoDelegate", new CheckRemoveRoDelegate(resources)),
                Map.entry("rejectRemovalDelegate", new RejectRemovalDelegate(resources, status)),
                Map.entry("finishRemovalDelegate", new FinishRemovalDelegate(resources)),
                Map.entry("stopInstancesDelegate", new StopInstancesDelegate(resources, manager)),
                Map.entry("releaseStorageDelegate", new ReleaseStorageDelegate(resources, storage)),
                Map.entry("removeFinalizerDelegate", new RemoveFinalizerDelegate(resources))));
        return beans;
    }

    /**
     * The manager of a healthy cluster: every action succeeds; the current leader's pod answers as the primary at
     * WAL position 1000, every other instance as a replica that replayed as far.
     */
    public static void healthy(ManagerClient manager, RecordingClusterResources resources) {
        when(manager.health(any())).thenReturn(new ManagerClient.Health(ManagerClient.HealthState.RUNNING, false, "select 1"));
        when(manager.install(any(), any())).thenReturn(new ManagerClient.InstallResult(false, false, null, false));
        when(manager.stop(any(), any(), anyInt())).thenReturn(new ManagerClient.StopResult(false, false));
        when(manager.promote(any())).thenReturn(new ManagerClient.RoleInfo(true, 2, null, null));
        when(manager.follow(any(), any(), anyString(), anyString())).thenReturn(true);
        when(manager.rejoin(any(), any(), anyString(), anyString())).thenReturn(true);
        when(manager.shutdownCheckpoint(any())).thenReturn(150L);
        when(manager.updateParams(any(), any())).thenReturn(new ManagerClient.ParamsResult(true, List.of()));
        when(manager.systemIdentifier(any())).thenReturn("7300000000000000001");
        when(manager.walPosition(any())).thenAnswer(a -> {
            var status = resources.cluster.getStatus();
            var leader = status.getDbInstanceStatus().get(status.getLeaderInstanceId());
            boolean primary = leader != null && leader.getPodName().equals(a.<ManagerClient.Target>getArgument(0).pod());
            return new ManagerClient.WalPosition(primary, 1, 1000, primary ? null : 1000L);
        });
    }
}
