package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.BoundedRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportNotRejoined: Timer_RejoinTimeout ran out (15 min; the agent limits a rejoin to 10). An old RW that
 * answers goes back to Task_RejoinOldRw's poll; otherwise an incident naming it and its state.
 */
@Component
public class ReportNotRejoinedDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public ReportNotRejoinedDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        BoundedRuns.requireRunning(
                manager, cluster, FailoverSteps.oldRw(cluster, execution), "the rejoin (as an RO)", "15 min");
    }
}
