package io.polarstack.orchestrator.api;

import java.util.List;
import java.util.Set;

/** The annotations a user or a flow puts on an MPDCluster: PolarDB Stack's commands and the interrupt bookkeeping. */
public final class Annotations {

    public static final String FORCE_REBUILD = "forceRebuild";
    public static final String FLUSH_PARAMS = "flushParams";
    public static final String RESTART_CLUSTER = "restartCluster";
    /** {@code restartIns=<insId>}. */
    public static final String RESTART_INS = "restartIns";
    /** {@code switchRw=<insId>}: a planned switchover to that RO. */
    public static final String SWITCH_RW = "switchRw";
    /** {@code migrate=<insId>|<node>}. */
    public static final String MIGRATE = "migrate";
    /** {@code removeIns=<insId>}. */
    public static final String REMOVE_INS = "removeIns";

    public static final String EXTEND_STORAGE = "extendStorage";
    /**
     * {@code restartRwBy=switchover}: RestartCluster moves the RW role to a restarted, caught-up RO (a planned
     * switchover) instead of restarting the RW in place; {@code inPlace} (or unset) restarts it where it is.
     */
    public static final String RESTART_RW_BY = "restartRwBy";
    /**
     * {@code haPausedIns=<insId>}, written by a restart: while a flow holds the cluster, the HA monitor leaves that
     * instance alone (its planned restart is no failure); the rest of the cluster stays watched.
     */
    public static final String HA_PAUSED_INS = "haPausedIns";
    /** {@code diskFullLock=true} locks the cluster read-only for ordinary users, {@code false} lifts it; served once. */
    public static final String DISK_FULL_LOCK = "diskFullLock";
    /** {@code expired=true} stops every engine behind its stop lock until {@code expired=false} (or removed). */
    public static final String EXPIRED = "expired";
    /** {@code cancelled=T} cancels the running flow. */
    public static final String CANCELLED = "cancelled";
    /** {@code autoFailover=false} keeps the HA monitor from failing the cluster over on its own. */
    public static final String AUTO_FAILOVER = "autoFailover";

    /** {@code interrupt.recover=T} resumes a flow stopped at an incident. */
    public static final String INTERRUPT_RECOVER = "interrupt.recover";

    public static final String INTERRUPT_REASON = "interrupt.reason";
    public static final String INTERRUPT_MESSAGE = "interrupt.message";
    public static final String INTERRUPT_PREVIOUS = "interrupt.previous.status";
    public static final Set<String> INTERRUPT =
            Set.of(INTERRUPT_RECOVER, INTERRUPT_REASON, INTERRUPT_MESSAGE, INTERRUPT_PREVIOUS);

    private Annotations() {}

    /** {@code 1}, {@code T} or {@code true}, as PolarDB Stack accepted them. */
    public static boolean isTrue(String value) {
        return value != null && List.of("1", "t", "true").contains(value.trim().toLowerCase());
    }
}
