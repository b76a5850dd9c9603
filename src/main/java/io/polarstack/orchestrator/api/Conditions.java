package io.polarstack.orchestrator.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/** Sets a status condition, moving lastTransitionTime only when its status changes. */
public final class Conditions {

    public static final String FLOW_RUNNING = "FlowRunning";
    public static final String INTERRUPTED = "Interrupted";
    public static final String OPERATION_AVAILABLE = "OperationAvailable";
    /**
     * True while the HA monitor may fail the cluster over on its own: set by CreateCluster's EnableHa, False while a
     * Failover runs (reason Paused) or when the annotation {@value #AUTO_FAILOVER_ANNOTATION}=false turns it off.
     */
    public static final String AUTO_FAILOVER = "AutoFailover";
    public static final String AUTO_FAILOVER_ANNOTATION = "autoFailover";

    private Conditions() {
    }

    public static void set(MPDClusterStatus status, String type, boolean value, String reason, String message) {
        List<Condition> conditions = status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions());
        String state = value ? "True" : "False";
        Condition previous = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = previous != null && state.equals(previous.getStatus()) ? previous.getLastTransitionTime()
                : Instant.now().toString();
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new ConditionBuilder().withType(type).withStatus(state).withReason(reason).withMessage(message)
                .withLastTransitionTime(since).withObservedGeneration(status.getObservedGeneration()).build());
        status.setConditions(conditions);
    }

    public static Condition get(MPDClusterStatus status, String type) {
        return status == null || status.getConditions() == null ? null
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }
}
