package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_CheckCaughtUp (planned): has the candidate replayed past the stopped RW's shutdown checkpoint, i.e.
 * everything the RW wrote? Sets {@code caughtUp}; the model waits and asks again, bounded by a timer.
 */
@Component
public class CheckCaughtUpDelegate implements JavaDelegate {

    /** The stopped RW's shutdown checkpoint, kept once known (from the stop's answer or asked here). */
    static final String OLD_RW_CHECKPOINT = "oldRwCheckpoint";

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final WalPositions positions;

    public CheckCaughtUpDelegate(ClusterResources resources, ManagerClient manager, WalPositions positions) {
        this.resources = resources;
        this.manager = manager;
        this.positions = positions;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("caughtUp", caughtUp(resources, manager, positions, execution) == null);
    }

    /** Null when caught up; otherwise what is missing, for the person reading the incident. */
    static String caughtUp(
            ClusterResources resources, ManagerClient manager, WalPositions positions, DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var oldRw = FailoverSteps.oldRw(cluster, execution);
        var candidate = FailoverSteps.candidate(cluster, execution);
        Object known = execution.getVariable(OLD_RW_CHECKPOINT);
        long checkpoint = known != null
                ? ((Number) known).longValue()
                : manager.shutdownCheckpoint(ClusterSteps.target(cluster, oldRw));
        execution.setVariable(OLD_RW_CHECKPOINT, checkpoint);
        var position = positions.of(cluster, candidate);
        if (position.replayed() > checkpoint) {
            return null;
        }
        return FailoverSteps.describe(candidate) + " replayed up to " + position.replayed() + " (received "
                + position.received() + "), but the stopped RW " + oldRw.getInsId()
                + " wrote up to its shutdown checkpoint at "
                + checkpoint;
    }
}
