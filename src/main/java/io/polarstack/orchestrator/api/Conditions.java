package io.polarstack.orchestrator.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The condition types and the reasons more than one writer gives; sets a status condition, moving lastTransitionTime
 * only when its status changes.
 */
public final class Conditions {

    public static final String FLOW_RUNNING = "FlowRunning";
    public static final String INTERRUPTED = "Interrupted";
    public static final String OPERATION_AVAILABLE = "OperationAvailable";
    /**
     * True while the HA monitor may fail the cluster over on its own: set by CreateCluster's EnableHa, False while a
     * Failover runs (reason Paused) or when the annotation {@code autoFailover=false} turns it off.
     */
    public static final String AUTO_FAILOVER = "AutoFailover";
    /**
     * True while a commit returns only once an RO flushed it (spec.dataDurability required or preferred, an RO
     * streaming); the reason says why not otherwise. Kept by the HA monitor.
     */
    public static final String SYNCHRONOUS_REPLICATION = "SynchronousReplication";
    /** True while a failed RW waits for another flow to end before Failover may start. */
    public static final String FAILOVER_PENDING = "FailoverPending";

    /**
     * True while ordinary users may only read: the disk-full lock. Reason {@link #USAGE_OVER_THRESHOLD} (the usage
     * monitor, which also lifts it) or {@link #LOCKED_BY_REQUEST} (annotation or REST: lifted only by request).
     */
    public static final String DISK_FULL = "DiskFull";
    /** True while the expiry lock holds every engine stopped; the HA monitor leaves such a cluster alone. */
    public static final String EXPIRED = "Expired";

    public static final String USAGE_OVER_THRESHOLD = "UsageOverThreshold";
    public static final String LOCKED_BY_REQUEST = "LockedByRequest";
    /** AutoFailover is on. */
    public static final String ENABLED = "Enabled";
    /** AutoFailover is off while a flow fails over or rebuilds the cluster. */
    public static final String PAUSED = "Paused";
    /** AutoFailover is off by the annotation {@code autoFailover=false}. */
    public static final String DISABLED_BY_ANNOTATION = "DisabledByAnnotation";
    /** The flow was cancelled (FlowRunning False, Interrupted True). */
    public static final String CANCELLED = "Cancelled";

    private Conditions() {}

    public static void set(MPDClusterStatus status, String type, boolean value, String reason, String message) {
        List<Condition> conditions =
                status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions());
        String state = value ? "True" : "False";
        Condition previous = conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
        String since = previous != null && state.equals(previous.getStatus())
                ? previous.getLastTransitionTime()
                : Instant.now().toString();
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new ConditionBuilder()
                .withType(type)
                .withStatus(state)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(since)
                .withObservedGeneration(status.getObservedGeneration())
                .build());
        status.setConditions(conditions);
    }

    public static Condition get(MPDClusterStatus status, String type) {
        return status == null || status.getConditions() == null
                ? null
                : status.getConditions().stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst()
                        .orElse(null);
    }
}
