package io.polarstack.orchestrator.operator;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.polarstack.orchestrator.api.ClassInfo;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.api.VersionConfig;

/**
 * PolarDB Stack's trigger table: which flow a cluster's spec and command annotations ask for. Rows are
 * checked in the original order and the first match wins; in {@code Interrupt} only the rebuild row counts.
 * Pure: it reads the resource and decides, it starts nothing.
 */
public final class TriggerTable {

    public static final String CREATING = "Creating";
    public static final String RUNNING = "Running";
    public static final String INTERRUPT = "Interrupt";
    public static final String INIT = "Init";
    public static final String REBUILD = "Rebuild";

    /** The command annotations a flow clears when it ends (with the interrupt bookkeeping). */
    public static final Set<String> COMMAND_ANNOTATIONS = Set.of("forceRebuild", "flushParams", "restartCluster",
            "restartIns", "switchRw", "migrate", "removeIns", "extendStorage", "cancelled");

    private TriggerTable() {
    }

    public static Optional<Trigger> evaluate(MPDCluster cluster) {
        Map<String, String> annotations = Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        MPDClusterSpec spec = cluster.getSpec();
        MPDClusterStatus status = Objects.requireNonNullElseGet(cluster.getStatus(), MPDClusterStatus::new);
        String state = status.getClusterStatus() == null ? "" : status.getClusterStatus();
        Map<String, InstanceStatus> instances = Objects.requireNonNullElse(status.getDbInstanceStatus(), Map.of());
        String leader = status.getLeaderInstanceId();

        if (state.isEmpty() || state.equals(INIT) || state.equals(CREATING)) {
            return Optional.of(Trigger.of(0, CREATING, "CreateCluster"));
        }
        boolean rebuild = state.equals(REBUILD) || isTrue(annotations.get("forceRebuild"))
                || (leader != null && !instances.isEmpty() && instances.values().stream().allMatch(TriggerTable::failed));
        if (rebuild) {
            return Optional.of(new Trigger(1, REBUILD, "RebuildCluster", Map.of(), true));
        }
        if (!state.equals(RUNNING)) {
            return Optional.empty();  // Interrupt (or a flow's own state): nothing but a rebuild starts here
        }
        String modifyClass = className(spec.getClassInfoModifyTo());
        if (modifyClass != null && !modifyClass.equals(className(spec.getClassInfo()))) {
            return Optional.of(Trigger.of(2, "ModifyClass", "ModifyClass", Map.of("className", modifyClass)));
        }
        if (isTrue(annotations.get("restartCluster"))) {
            return Optional.of(Trigger.of(3, "RestartCluster", "RestartCluster"));
        }
        String restartIns = blankToNull(annotations.get("restartIns"));
        if (restartIns != null) {
            return Optional.of(Trigger.of(4, "RestartIns", "RestartInstance", Map.of("insId", restartIns)));
        }
        if (isTrue(annotations.get("flushParams"))) {
            return Optional.of(Trigger.of(5, "FlushParams", "FlushParams"));
        }
        String switchRw = blankToNull(annotations.get("switchRw"));
        if (switchRw != null && !switchRw.equals(leader)) {
            return Optional.of(Trigger.of(6, "SwitchRw", "Failover", Map.of("insId", switchRw, "planned", true)));
        }
        Optional<Trigger> migrate = migrate(annotations.get("migrate"), leader, instances);
        if (migrate.isPresent()) {
            return migrate;
        }
        String upgradeTo = versionName(spec.getVersionCfgModifyTo());
        if (upgradeTo != null && !upgradeTo.equals(versionName(spec.getVersionCfg()))) {
            return Optional.of(Trigger.of(9, "UpgradeMinorVersion", "UpgradeMinorVersion", Map.of("versionName", upgradeTo)));
        }
        InstanceStatus leaderInstance = leader == null ? null : instances.get(leader);
        if (leaderInstance != null && !failed(leaderInstance)) {
            Optional<String> failedRo = instances.entrySet().stream()
                    .filter(e -> !e.getKey().equals(leader) && failed(e.getValue()))
                    .map(Map.Entry::getKey).sorted().findFirst();
            if (failedRo.isPresent()) {
                return Optional.of(Trigger.of(10, "RebuildRo", "RebuildInstance", Map.of("insId", failedRo.get())));
            }
        }
        int desired = spec.getFollowerNum() == null ? 0 : spec.getFollowerNum();
        if (desired > count(instances.values(), "ro")) {
            return Optional.of(Trigger.of(11, "AddRo", "AddRo"));
        }
        String removeIns = blankToNull(annotations.get("removeIns"));
        if (removeIns != null) {
            return Optional.of(Trigger.of(12, "RemoveRo", "RemoveRo", Map.of("insId", removeIns)));
        }
        if (isTrue(annotations.get("extendStorage"))) {
            return Optional.of(Trigger.of(13, "ExtendStorage", "ExtendStorage"));
        }
        return Optional.empty();
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
                ? Optional.of(Trigger.of(8, "MigrateRw", "MigrateInstance", variables))
                : Optional.of(Trigger.of(7, "MigrateRo", "MigrateInstance", variables));
    }

    /** {@code 1}, {@code T} or {@code true}, as PolarDB Stack accepted them. */
    public static boolean isTrue(String value) {
        return value != null && List.of("1", "t", "true").contains(value.trim().toLowerCase());
    }

    private static boolean failed(InstanceStatus instance) {
        return instance.getCurrentState() != null && "failed".equalsIgnoreCase(instance.getCurrentState().getState());
    }

    private static long count(Collection<InstanceStatus> instances, String type) {
        return instances.stream().filter(i -> type.equals(i.getInsType())).count();
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
