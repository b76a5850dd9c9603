package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.delegates.common.BoundedRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportRwNotRestarted: Timer_RwRestartTimeout ran out (15 min; the agent limits a restart to 10). An RW that
 * answers goes back to Task_LowerRwLimits' poll; otherwise an incident naming it and its state.
 */
@Component
public class ReportRwNotRestartedDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public ReportRwNotRestartedDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        BoundedRuns.requireRunning(
                manager, cluster, ClusterSteps.rw(cluster), "the restart (lowered limits)", "15 min");
    }
}
