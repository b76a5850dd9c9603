package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.Account;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.ReplicaSlots;
import io.polarstack.orchestrator.specs.AccountSecrets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/** What the cluster steps share: the cluster the flow works on, its instances, and how to reach their manager. */
public final class ClusterSteps {

    private ClusterSteps() {}

    public static String namespace(DelegateExecution execution) {
        return (String) execution.getVariable(FlowKeys.NAMESPACE);
    }

    public static String name(DelegateExecution execution) {
        return (String) execution.getVariable(FlowKeys.NAME);
    }

    /** The cluster as stored now; an error naming it when it is gone. */
    public static MPDCluster cluster(ClusterResources resources, DelegateExecution execution) {
        return resources
                .cluster(namespace(execution), name(execution))
                .orElseThrow(() -> new IllegalStateException(
                        "MPDCluster " + namespace(execution) + "/" + name(execution) + " no longer exists"));
    }

    public static InstanceStatus instance(MPDCluster cluster, String insId) {
        Map<String, InstanceStatus> instances =
                cluster.getStatus() == null ? null : cluster.getStatus().getDbInstanceStatus();
        InstanceStatus instance = instances == null ? null : instances.get(insId);
        if (instance == null) {
            throw new IllegalStateException("MPDCluster " + cluster.businessKey() + " has no instance " + insId
                    + " in status.dbInstanceStatus");
        }
        return instance;
    }

    public static boolean share(MPDCluster cluster) {
        return "share".equals(cluster.getSpec().getDbClusterType());
    }

    /** share mode runs PolarDB; local mode runs PostgreSQL unless {@code spec.dbType} says PolarDB. */
    public static ManagerClient.Flavour flavour(MPDCluster cluster) {
        return share(cluster)
                        || "polardb"
                                .equalsIgnoreCase(Objects.requireNonNullElse(
                                        cluster.getSpec().getDbType(), ""))
                ? ManagerClient.Flavour.POLARDB
                : ManagerClient.Flavour.POSTGRESQL;
    }

    /** The engine container's supervisor runs the postmaster; the manager starts it by lifting the lock. */
    public static ManagerClient.Target target(MPDCluster cluster, InstanceStatus instance) {
        return new ManagerClient.Target(
                cluster.getMetadata().getNamespace(),
                instance.getPodName(),
                flavour(cluster),
                new ManagerClient.Layout(null, null, null, true));
    }

    public static InstanceStatus rw(MPDCluster cluster) {
        return cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(InstanceRole::rw)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "MPDCluster " + cluster.businessKey() + " has no rw instance in status.dbInstanceStatus"));
    }

    /** The installed ROs, in instance id order. */
    public static List<InstanceStatus> ros(MPDCluster cluster) {
        return cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(InstanceRole::ro)
                .sorted(java.util.Comparator.comparing(InstanceStatus::getInsId))
                .toList();
    }

    /**
     * Drops the slot an older version made for {@code ro} on {@code rw} ({@code replica_<logicId>_<insId>}), once
     * {@code ro} streams through its own ({@link ReplicaSlots}); a missing slot is a no-op.
     */
    public static void dropLegacySlot(
            ManagerClient manager, MPDCluster cluster, ManagerClient.Target rw, InstanceStatus ro) {
        var legacy = ReplicaSlots.legacy(cluster.getStatus().getLogicId(), ro);
        if (!legacy.name().equals(ReplicaSlots.name(ro))) {
            manager.removeSlot(rw, ManagerClient.SlotType.REPLICA, legacy.custinsId(), legacy.slotUniqueName());
        }
    }

    /** {@code rw} as the primary a replica streams from, with the replication account from its Secret. */
    public static ManagerClient.Primary primary(ClusterResources resources, MPDCluster cluster, InstanceStatus rw) {
        String ns = cluster.getMetadata().getNamespace();
        Account replicator = resources
                .secretData(
                        ns,
                        AccountSecrets.name(
                                cluster, cluster.getStatus().getLogicId(), AccountSecrets.Account.REPLICATOR))
                .flatMap(Account::of)
                .orElseThrow(() -> new IllegalStateException("the replicator Secret of MPDCluster "
                        + cluster.businessKey() + " is gone; restore it, then retry"));
        return new ManagerClient.Primary(
                rw.getNetInfo().getWorkingHostIP(),
                rw.getNetInfo().getWorkingPort(),
                replicator.user(),
                replicator.password());
    }
}
