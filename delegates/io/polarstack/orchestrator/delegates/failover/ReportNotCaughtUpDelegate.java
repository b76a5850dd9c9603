package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportNotCaughtUp (planned): the wait ran out. One more look; still behind → an incident with the
 * positions. The old RW stays stopped meanwhile (no write can be lost); once the replica streams again,
 * retrying this step moves the switchover on.
 */
@Component
public class ReportNotCaughtUpDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final WalPositions positions;

    public ReportNotCaughtUpDelegate(ClusterResources resources, ManagerClient manager, WalPositions positions) {
        this.resources = resources;
        this.manager = manager;
        this.positions = positions;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String missing = CheckCaughtUpDelegate.caughtUp(resources, manager, positions, execution);
        if (missing != null) {
            throw new IllegalStateException(
                    missing + "; check the replica's replication (its log, primary_conninfo), then retry"
                            + " this step. To give up, cancel the flow (annotation cancelled=true) and start the old RW again.");
        }
    }
}
