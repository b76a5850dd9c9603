package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportRestartBehind: the wait after the restart ran out. One more look; still not serving or behind → an
 * incident with the positions, and the next instance is not restarted until this one is fixed.
 */
@Component
public class ReportRestartBehindDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public ReportRestartBehindDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String behind = CheckRestartCaughtUpDelegate.behind(resources, manager, execution);
        if (behind != null) {
            throw new IllegalStateException(behind + "; check its /log and the RW's pg_stat_replication, then retry"
                    + " this step. No other instance is restarted until then.");
        }
    }
}
