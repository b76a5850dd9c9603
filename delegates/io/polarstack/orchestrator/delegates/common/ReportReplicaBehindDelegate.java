package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Task_ReportReplicaBehind: the catch-up wait ran out. One more look; still behind → an incident with the
 * positions. Nothing of the old instance was touched yet, so it keeps serving meanwhile.
 */
@Component
public class ReportReplicaBehindDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final long maxLagBytes;

    public ReportReplicaBehindDelegate(
            ClusterResources resources,
            ManagerClient manager,
            @Value("${orchestrator.replace.max-lag-bytes}") long maxLagBytes) {
        this.resources = resources;
        this.manager = manager;
        this.maxLagBytes = maxLagBytes;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String behind = CheckReplicaCaughtUpDelegate.behind(resources, manager, maxLagBytes, execution);
        if (behind != null) {
            throw new IllegalStateException(
                    behind + "; check its replication (its /log, the RW's pg_stat_replication), then retry"
                            + " this step. The instance it replaces is untouched until then.");
        }
    }
}
