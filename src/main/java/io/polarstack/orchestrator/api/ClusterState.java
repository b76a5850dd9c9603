package io.polarstack.orchestrator.api;

/**
 * The values of {@code status.clusterStatus}, spelled as PolarDB Stack spelled them: the stable states, and the state a
 * cluster shows while the flow of a trigger-table row runs.
 */
public final class ClusterState {

    public static final String INIT = "Init";
    public static final String CREATING = "Creating";
    public static final String RUNNING = "Running";
    /** A step stopped with an incident; the {@code interrupt.*} annotations say where and how to resume. */
    public static final String INTERRUPT = "Interrupt";

    public static final String REBUILD = "Rebuild";
    public static final String DELETING = "Deleting";
    public static final String MODIFY_CLASS = "ModifyClass";
    public static final String RESTART_CLUSTER = "RestartCluster";
    public static final String RESTART_INS = "RestartIns";
    public static final String FLUSH_PARAMS = "FlushParams";
    public static final String SWITCH_RW = "SwitchRw";
    public static final String MIGRATE_RO = "MigrateRo";
    public static final String MIGRATE_RW = "MigrateRw";
    public static final String UPGRADE_MINOR_VERSION = "UpgradeMinorVersion";
    public static final String REBUILD_RO = "RebuildRo";
    public static final String ADD_RO = "AddRo";
    public static final String REMOVE_RO = "RemoveRo";
    public static final String EXTEND_STORAGE = "ExtendStorage";
    public static final String LOCK_INSTANCE = "LockIns";
    public static final String UNLOCK_INSTANCE = "UnlockIns";
    public static final String EXPIRY_LOCK = "ExpiryLock";
    public static final String EXPIRY_UNLOCK = "ExpiryUnlock";

    private ClusterState() {}
}
