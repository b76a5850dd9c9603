package io.polarstack.orchestrator.operator;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClassInfo;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.api.VersionConfig;
import io.polarstack.orchestrator.specs.StorageQuota;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * PolarDB Stack's trigger table: which flow a cluster's spec and command annotations ask for. Rows are
 * checked in the original order and the first match wins; in {@code Interrupt} only the rebuild row counts.
 * Pure: it reads the resource and decides, it starts nothing.
 */
public final class TriggerTable {

    private TriggerTable() {}

    public static Optional<Trigger> evaluate(MPDCluster cluster) {
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        MPDClusterSpec spec = cluster.getSpec();
        MPDClusterStatus status = Objects.requireNonNullElseGet(cluster.getStatus(), MPDClusterStatus::new);
        String state = status.getClusterStatus() == null ? "" : status.getClusterStatus();
        Map<String, InstanceStatus> instances = Objects.requireNonNullElse(status.getDbInstanceStatus(), Map.of());
        String leader = status.getLeaderInstanceId();

        if (state.isEmpty() || state.equals(ClusterState.INIT) || state.equals(ClusterState.CREATING)) {
            return Optional.of(Trigger.of(0, ClusterState.CREATING, FlowKeys.CREATE_CLUSTER));
        }
        boolean rebuild = state.equals(ClusterState.REBUILD)
                || Annotations.isTrue(annotations.get(Annotations.FORCE_REBUILD))
                || (leader != null
                        && !instances.isEmpty()
                        && instances.values().stream().allMatch(TriggerTable::failed));
        if (rebuild) {
            return Optional.of(new Trigger(1, ClusterState.REBUILD, FlowKeys.REBUILD_CLUSTER, Map.of(), true));
        }
        if (!state.equals(ClusterState.RUNNING)) {
            return Optional.empty(); // Interrupt (or a flow's own state): nothing but a rebuild starts here
        }
        // The expiry lock comes first and, while it holds, nothing but its lifting runs on the stopped engines.
        boolean expired = conditionTrue(status, Conditions.EXPIRED);
        boolean expiryAsked = Annotations.isTrue(annotations.get(Annotations.EXPIRED));
        if (expiryAsked && !expired) {
            return Optional.of(Trigger.of(14, ClusterState.EXPIRY_LOCK, FlowKeys.EXPIRY_LOCK));
        }
        if (expired) {
            return expiryAsked
                    ? Optional.empty()
                    : Optional.of(Trigger.of(15, ClusterState.EXPIRY_UNLOCK, FlowKeys.EXPIRY_UNLOCK));
        }
        String modifyClass = className(spec.getClassInfoModifyTo());
        if (modifyClass != null && !modifyClass.equals(className(spec.getClassInfo()))) {
            return Optional.of(
                    Trigger.of(2, ClusterState.MODIFY_CLASS, FlowKeys.MODIFY_CLASS, Map.of("className", modifyClass)));
        }
        if (Annotations.isTrue(annotations.get(Annotations.RESTART_CLUSTER))) {
            return Optional.of(Trigger.of(3, ClusterState.RESTART_CLUSTER, FlowKeys.RESTART_CLUSTER));
        }
        String restartIns = blankToNull(annotations.get(Annotations.RESTART_INS));
        if (restartIns != null) {
            return Optional.of(
                    Trigger.of(4, ClusterState.RESTART_INS, FlowKeys.RESTART_INSTANCE, Map.of("insId", restartIns)));
        }
        if (Annotations.isTrue(annotations.get(Annotations.FLUSH_PARAMS))) {
            return Optional.of(Trigger.of(5, ClusterState.FLUSH_PARAMS, FlowKeys.FLUSH_PARAMS));
        }
        String switchRw = blankToNull(annotations.get(Annotations.SWITCH_RW));
        if (switchRw != null && !switchRw.equals(leader)) {
            return Optional.of(Trigger.of(
                    6, ClusterState.SWITCH_RW, FlowKeys.FAILOVER, Map.of("insId", switchRw, "planned", true)));
        }
        Optional<Trigger> migrate = migrate(annotations.get(Annotations.MIGRATE), leader, instances);
        if (migrate.isPresent()) {
            return migrate;
        }
        String upgradeTo = versionName(spec.getVersionCfgModifyTo());
        if (upgradeTo != null && !upgradeTo.equals(versionName(spec.getVersionCfg()))) {
            return Optional.of(Trigger.of(
                    9,
                    ClusterState.UPGRADE_MINOR_VERSION,
                    FlowKeys.UPGRADE_MINOR_VERSION,
                    Map.of("versionName", upgradeTo)));
        }
        InstanceStatus leaderInstance = leader == null ? null : instances.get(leader);
        if (leaderInstance != null && !failed(leaderInstance)) {
            Optional<String> failedRo = instances.entrySet().stream()
                    .filter(e -> !e.getKey().equals(leader) && failed(e.getValue()))
                    .map(Map.Entry::getKey)
                    .sorted()
                    .findFirst();
            if (failedRo.isPresent()) {
                return Optional.of(Trigger.of(
                        10, ClusterState.REBUILD_RO, FlowKeys.REBUILD_INSTANCE, Map.of("insId", failedRo.get())));
            }
        }
        int desired = spec.getFollowerNum() == null ? 0 : spec.getFollowerNum();
        if (desired > instances.values().stream().filter(InstanceRole::ro).count()) {
            return Optional.of(Trigger.of(11, ClusterState.ADD_RO, FlowKeys.ADD_RO));
        }
        String removeIns = blankToNull(annotations.get(Annotations.REMOVE_INS));
        if (removeIns != null) {
            return Optional.of(Trigger.of(12, ClusterState.REMOVE_RO, FlowKeys.REMOVE_RO, Map.of("insId", removeIns)));
        }
        if (Annotations.isTrue(annotations.get(Annotations.EXTEND_STORAGE)) || quotaGrown(spec, status)) {
            return Optional.of(Trigger.of(13, ClusterState.EXTEND_STORAGE, FlowKeys.EXTEND_STORAGE));
        }
        String diskFullLock = blankToNull(annotations.get(Annotations.DISK_FULL_LOCK));
        if (diskFullLock != null) {
            return Annotations.isTrue(diskFullLock)
                    ? Optional.of(Trigger.of(
                            16,
                            ClusterState.LOCK_INSTANCE,
                            FlowKeys.LOCK_INSTANCE,
                            Map.of("lockReason", Conditions.LOCKED_BY_REQUEST)))
                    : Optional.of(Trigger.of(17, ClusterState.UNLOCK_INSTANCE, FlowKeys.UNLOCK_INSTANCE));
        }
        return Optional.empty();
    }

    /**
     * The cluster shows a flow (by its process instance) and that flow's own state, which only the flow itself leaves:
     * not Running, Interrupt, or a state whose row starts its flow again (Init, Creating, Rebuild).
     */
    public static boolean heldByFlow(MPDCluster cluster) {
        var status = cluster.getStatus();
        if (status == null
                || status.getFlow() == null
                || status.getFlow().getProcessInstanceId() == null
                || status.getClusterStatus() == null) {
            return false;
        }
        return !Set.of(
                        "",
                        ClusterState.INIT,
                        ClusterState.CREATING,
                        ClusterState.REBUILD,
                        ClusterState.RUNNING,
                        ClusterState.INTERRUPT,
                        ClusterState.DELETING)
                .contains(status.getClusterStatus());
    }

    private static Optional<Trigger> migrate(String value, String leader, Map<String, InstanceStatus> instances) {
        if (value == null || !value.contains("|")) {
            return Optional.empty();
        }
        String insId = value.substring(0, value.indexOf('|')).trim();
        String target = value.substring(value.indexOf('|') + 1).trim();
        InstanceStatus instance = instances.get(insId);
        if (insId.isEmpty() || target.isEmpty() || instance == null || target.equals(instance.getNodeName())) {
            return Optional.empty();
        }
        Map<String, Object> variables = Map.of("insId", insId, "targetNode", target);
        return insId.equals(leader)
                ? Optional.of(Trigger.of(8, ClusterState.MIGRATE_RW, FlowKeys.MIGRATE_INSTANCE, variables))
                : Optional.of(Trigger.of(7, ClusterState.MIGRATE_RO, FlowKeys.MIGRATE_INSTANCE, variables));
    }

    /** The spec asks for more than the last growth recorded; a cluster with nothing recorded needs the annotation. */
    private static boolean quotaGrown(MPDClusterSpec spec, MPDClusterStatus status) {
        if (status.getStorageQuota() == null) {
            return false;
        }
        try {
            return StorageQuota.bytes(spec) > StorageQuota.parse(spec, status.getStorageQuota());
        } catch (IllegalArgumentException e) {
            return false; // a malformed size is refused when the annotation asks for it
        }
    }

    private static boolean failed(InstanceStatus instance) {
        return instance.getCurrentState() != null
                && "failed".equalsIgnoreCase(instance.getCurrentState().getState());
    }

    private static boolean conditionTrue(MPDClusterStatus status, String type) {
        var condition = Conditions.get(status, type);
        return condition != null && "True".equals(condition.getStatus());
    }

    private static String className(ClassInfo info) {
        return info == null ? null : blankToNull(info.getClassName());
    }

    private static String versionName(VersionConfig version) {
        return version == null ? null : blankToNull(version.getVersionName());
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
