package io.polarstack.orchestrator.api;

/** The process keys of the cluster flows, the variables every cluster flow starts with, and how to read a key. */
public final class FlowKeys {

    public static final String CREATE_CLUSTER = "CreateCluster";
    public static final String DELETE_CLUSTER = "DeleteCluster";
    public static final String FAILOVER = "Failover";
    public static final String REBUILD_CLUSTER = "RebuildCluster";
    public static final String REBUILD_INSTANCE = "RebuildInstance";
    public static final String MIGRATE_INSTANCE = "MigrateInstance";
    public static final String UPGRADE_MINOR_VERSION = "UpgradeMinorVersion";
    public static final String MODIFY_CLASS = "ModifyClass";
    public static final String ADD_RO = "AddRo";
    public static final String REMOVE_RO = "RemoveRo";
    /** The disk-full lock: ordinary users read-only (usage over the high threshold, or by request). */
    public static final String LOCK_INSTANCE = "LockInstance";

    public static final String UNLOCK_INSTANCE = "UnlockInstance";
    /** The expiry lock: every engine stopped behind its stop lock, the containers kept. */
    public static final String EXPIRY_LOCK = "ExpiryLock";

    public static final String EXPIRY_UNLOCK = "ExpiryUnlock";
    public static final String RESTART_CLUSTER = "RestartCluster";

    public static final String RESTART_INSTANCE = "RestartInstance";
    public static final String FLUSH_PARAMS = "FlushParams";
    public static final String EXTEND_STORAGE = "ExtendStorage";

    /** Start variables every cluster flow gets. */
    public static final String NAMESPACE = "clusterNamespace";

    public static final String NAME = "clusterName";

    private FlowKeys() {}

    /** The process key of a definition id ({@code Failover:3:abc} → {@code Failover}). */
    public static String ofDefinition(String processDefinitionId) {
        int colon = processDefinitionId.indexOf(':');
        return colon < 0 ? processDefinitionId : processDefinitionId.substring(0, colon);
    }

    /** The business key of a cluster's flows. */
    public static String businessKey(String namespace, String name) {
        return namespace + "/" + name;
    }
}
