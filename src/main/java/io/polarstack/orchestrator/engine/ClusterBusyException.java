package io.polarstack.orchestrator.engine;

import java.util.Optional;
import org.camunda.bpm.engine.ProcessEngineException;

/**
 * A cluster flow was not started because another flow of the same cluster is active (on any replica). Thrown from
 * inside the start's transaction, so nothing of the refused start is kept.
 */
public class ClusterBusyException extends ProcessEngineException {

    private final String cluster;
    private final String runningFlow;
    private final String runningInstanceId;

    public ClusterBusyException(String cluster, String runningFlow, String runningInstanceId) {
        super("cluster " + cluster + " is busy with "
                + (runningFlow == null
                        ? "another flow that is starting at this moment"
                        : runningFlow + " (process instance " + runningInstanceId + ")")
                + "; one flow runs per cluster: start again when it has ended, or end it first (Cockpit: cancel"
                + " the instance)");
        this.cluster = cluster;
        this.runningFlow = runningFlow;
        this.runningInstanceId = runningInstanceId;
    }

    /** The business key, {@code namespace/name}. */
    public String cluster() {
        return cluster;
    }

    /** The process key of the flow that holds the cluster; null when it was not committed yet. */
    public String runningFlow() {
        return runningFlow;
    }

    public String runningInstanceId() {
        return runningInstanceId;
    }

    /** The refusal in {@code failure} or its causes (the engine may wrap what a listener throws). */
    public static Optional<ClusterBusyException> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ClusterBusyException busy) {
                return Optional.of(busy);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }
}
